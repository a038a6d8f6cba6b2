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
