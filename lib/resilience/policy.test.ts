import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreaker } from './breaker.ts';
import { Bulkhead } from './bulkhead.ts';
import { MemoryCacheStore } from './cache.ts';
import { CancelledError, CircuitOpenError, NetworkError, RateLimitedError, TimeoutError } from './errors.ts';
import { EventBus, type ResilienceEvent } from './events.ts';
import { FallbackPolicy } from './fallback.ts';
import { parsePolicy } from './options.ts';
import { policyEnv, wrap } from './policy.ts';
import { RateLimiter } from './rate-limit.ts';
import { RetryPolicy } from './retry.ts';
import { DeadlinePolicy } from './timeout.ts';
import type { HttpResult } from './transport.ts';

// Each policy alone, as cockatiel's are used: built from (options, env), run with execute(fn, signal).

const reset = () => new NetworkError('reset', new Error('ECONNRESET'));

test('a retry policy alone retries a failing function until it succeeds', async () => {
  const retry = new RetryPolicy(parsePolicy({ retry: { initialDelayMs: 1, maxDelayMs: 2 } }).retry, policyEnv());
  let calls = 0;
  const answer = await retry.execute(() => {
    calls++;
    if (calls < 3) throw reset();
    return 'third time';
  });
  assert.deepEqual([answer, calls], ['third time', 3]);
});

test('a breaker alone opens on failures and then rejects without calling, with its events named by env.name', async () => {
  const events = new EventBus();
  const seen: ResilienceEvent[] = [];
  events.onAny((event) => seen.push(event));
  const breaker = new CircuitBreaker(
    parsePolicy({ breaker: { consecutiveFailures: 1 } }).breaker,
    policyEnv({ events, name: 'payments' }),
  );
  await assert.rejects(
    breaker.execute(() => Promise.reject(reset())),
    NetworkError,
  );
  let called = false;
  await assert.rejects(
    breaker.execute(() => {
      called = true;
    }),
    CircuitOpenError,
  );
  assert.equal(called, false);
  assert.deepEqual(
    seen.map((event) => (event.type === 'breaker.transition' ? [event.integration, event.to] : event.type)),
    [['payments', 'open']],
  );
});

test('a deadline alone aborts the signal the function is given', async () => {
  const deadline = new DeadlinePolicy(parsePolicy({ timeout: { attemptMs: 20, overallMs: 20 } }).timeout, policyEnv());
  await assert.rejects(
    deadline.execute(
      (ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        }),
    ),
    (error: TimeoutError) => error instanceof TimeoutError && error.scope === 'overall',
  );
});

test("a bulkhead alone queues a second call, and the caller's signal takes it out of the queue", async () => {
  const bulkhead = new Bulkhead(parsePolicy({ bulkhead: { maxConcurrent: 1, maxQueue: 1 } }).bulkhead, policyEnv());
  let release = () => {};
  const first = bulkhead.execute(() => new Promise<void>((resolve) => (release = resolve)));
  const caller = new AbortController();
  const second = bulkhead.execute(() => 'never', caller.signal);
  assert.equal(bulkhead.queueLength, 1);
  caller.abort();
  await assert.rejects(second, CancelledError);
  assert.equal(bulkhead.queueLength, 0);
  release();
  await first;
});

test('a rate limiter alone refuses once its bucket is empty, naming its key', async () => {
  const limiter = new RateLimiter(
    parsePolicy({ rateLimit: { perMinute: 1, burst: 1 } }).rateLimit,
    policyEnv({ name: 'crm' }),
  );
  assert.equal(await limiter.execute(() => 'first'), 'first');
  await assert.rejects(
    limiter.execute(() => 'second'),
    (error: RateLimitedError) => error instanceof RateLimitedError && error.key === 'crm',
  );
});

test('a fallback alone answers for a function that failed', async () => {
  const fallback = new FallbackPolicy(
    parsePolicy({ fallback: { kind: 'static', status: 503, body: 'later' } }).fallback,
    policyEnv(),
    new MemoryCacheStore(),
  );
  const answer = await fallback.execute<HttpResult>(() => Promise.reject(reset()));
  assert.equal(answer.status, 503);
  assert.equal(answer.body.toString(), 'later');
});

test('policies built alone compose with wrap(), outermost first', async () => {
  const env = policyEnv();
  const retry = new RetryPolicy(parsePolicy({ retry: { initialDelayMs: 1, maxDelayMs: 2, maxRetries: 5 } }).retry, env);
  const breaker = new CircuitBreaker(parsePolicy({ breaker: { consecutiveFailures: 2 } }).breaker, env);
  let calls = 0;
  // The breaker opens after two failures; the retry policy does not retry its CircuitOpenError.
  await assert.rejects(
    wrap(retry, breaker).execute(() => {
      calls++;
      throw reset();
    }),
    CircuitOpenError,
  );
  assert.equal(calls, 2);
});
