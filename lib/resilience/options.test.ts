import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPolicy, parsePolicy, policySchema } from './options.ts';

test('an empty policy gets the documented defaults', () => {
  const policy = parsePolicy({});
  assert.deepEqual(policy.timeout, { attemptMs: 10_000, overallMs: 30_000 });
  assert.equal(policy.retry.maxRetries, 3);
  assert.equal(policy.retry.backoff, 'exponential');
  assert.equal(policy.retry.initialDelayMs, 1000);
  assert.equal(policy.retry.maxDelayMs, 5000);
  assert.deepEqual(policy.retry.retryOnStatuses, [408, 429, 500, 502, 503, 504]);
  assert.deepEqual(policy.retry.budget, { ratio: 0.2, minRetriesPerSec: 10, windowMs: 10_000 });
  assert.equal(policy.breaker.mode, 'consecutive');
  assert.deepEqual(policy.breaker.window, { kind: 'count', size: 100 });
  assert.equal(policy.breaker.slowCallMs, null);
  assert.deepEqual(
    { perMinute: policy.rateLimit.perMinute, burst: policy.rateLimit.burst, maxWaitMs: policy.rateLimit.maxWaitMs },
    { perMinute: 100, burst: 150, maxWaitMs: 0 },
  );
  assert.deepEqual(policy.bulkhead, { maxConcurrent: 5, maxQueue: 50, queueTimeoutMs: 5000 });
  assert.deepEqual(policy.cache.methods, ['GET', 'HEAD']);
  assert.equal(policy.cache.ttlMs, 3_600_000);
  assert.equal(policy.cache.maxEntries, 1000);
  assert.deepEqual(policy.idempotency, { header: 'Idempotency-Key', generate: true });
  assert.equal(policy.fallback.kind, 'none');
  assert.deepEqual(policy.hedging, { enabled: false, delayMs: 200 });
  assert.deepEqual(policy.trackingHeaders, ['x-request-id', 'trackingid', 'x-amzn-requestid', 'request-id']);
  assert.deepEqual(defaultPolicy, policy);
});

test('a partial policy keeps the defaults of the fields it leaves out', () => {
  const policy = parsePolicy({
    retry: { maxRetries: 1, budget: { ratio: 0.5 } },
    breaker: { window: { kind: 'time' } },
  });
  assert.equal(policy.retry.maxRetries, 1);
  assert.equal(policy.retry.factor, 2);
  assert.deepEqual(policy.retry.budget, { ratio: 0.5, minRetriesPerSec: 10, windowMs: 10_000 });
  assert.deepEqual(policy.breaker.window, { kind: 'time', ms: 60_000 });
});

test('invalid settings are rejected with the offending field named', () => {
  const result = policySchema.safeParse({ retry: { maxRetries: -1 }, bulkhead: { maxConcurrent: 0 } });
  assert.equal(result.success, false);
  const paths = result.error?.issues.map((issue) => issue.path.join('.')).sort();
  assert.deepEqual(paths, ['bulkhead.maxConcurrent', 'retry.maxRetries']);
});

test('method and header names are normalised', () => {
  const policy = parsePolicy({
    cache: { methods: ['get'], varyHeaders: ['Accept-Language'] },
    trackingHeaders: ['Trackingid'],
  });
  assert.deepEqual(policy.cache.methods, ['GET']);
  assert.deepEqual(policy.cache.varyHeaders, ['accept-language']);
  assert.deepEqual(policy.trackingHeaders, ['trackingid']);
});

test('every number and list is bounded above as well as below, naming the field', () => {
  const tooBig = {
    timeout: { overallMs: 86_400_001 },
    retry: { factor: 11, budget: { windowMs: 3_600_001 } },
    breaker: { consecutiveFailures: 10_001, window: { kind: 'count', size: 10_001 } },
    rateLimit: { burst: 1_000_001 },
    bulkhead: { maxConcurrent: 10_001, maxQueue: 100_001 },
    cache: { ttlMs: 30 * 86_400_000 + 1, maxEntries: 1_000_001, neverCacheRoutes: Array(201).fill('/x') },
    hedging: { delayMs: 86_400_001 },
  };
  const result = policySchema.safeParse(tooBig);
  assert.equal(result.success, false);
  const paths = result.error?.issues.map((issue) => issue.path.join('.')).sort();
  assert.deepEqual(paths, [
    'breaker.consecutiveFailures',
    'breaker.window.size',
    'bulkhead.maxConcurrent',
    'bulkhead.maxQueue',
    'cache.maxEntries',
    'cache.neverCacheRoutes',
    'cache.ttlMs',
    'hedging.delayMs',
    'rateLimit.burst',
    'retry.budget.windowMs',
    'retry.factor',
    'timeout.overallMs',
  ]);
  assert.equal(
    policySchema.safeParse({ cache: { ttlMs: 30 * 86_400_000 } }).success,
    true,
    'the bound itself is allowed',
  );
});

test('an attempt timeout longer than the overall deadline is refused, naming timeout.attemptMs', () => {
  const result = policySchema.safeParse({ timeout: { attemptMs: 20_000, overallMs: 10_000 } });
  assert.equal(result.success, false);
  assert.deepEqual(
    result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]),
    [['timeout.attemptMs', 'must not exceed overallMs (10000), got 20000']],
  );
  // The default attempt timeout (10 s) counts too: a 5 s deadline alone needs a shorter attempt.
  assert.equal(policySchema.safeParse({ timeout: { overallMs: 5000 } }).success, false);
  assert.equal(policySchema.safeParse({ timeout: { attemptMs: 5000, overallMs: 5000 } }).success, true);
});

test('an initial retry delay above the maximum delay is refused, naming retry.initialDelayMs', () => {
  const result = policySchema.safeParse({ retry: { initialDelayMs: 6000 } });
  assert.equal(result.success, false);
  assert.deepEqual(
    result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]),
    [['retry.initialDelayMs', 'must not exceed maxDelayMs (5000), got 6000']],
  );
  assert.equal(policySchema.safeParse({ retry: { initialDelayMs: 5000 } }).success, true);
});
