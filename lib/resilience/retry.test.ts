import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from './backoff.ts';
import { FakeClock } from './clock.ts';
import { CallContext } from './context.ts';
import { CancelledError, NetworkError, TimeoutError } from './errors.ts';
import { EventBus, type EventOf } from './events.ts';
import { type Policy, type PolicyInput, parsePolicy } from './options.ts';
import { policyEnv } from './policy.ts';
import { RetryPolicy } from './retry.ts';
import { parseRateLimitReset, parseRetryAfter } from './retry-after.ts';
import { RetryBudget } from './retry-budget.ts';
import { isMethodRetryable } from './retryable.ts';

const answer = (status: number, headers: Record<string, string> = {}) => ({ status, headers });

function setup(retry: PolicyInput['retry'] = {}) {
  const clock = new FakeClock();
  const events = new EventBus();
  const scheduled: EventOf<'retry.scheduled'>[] = [];
  events.on('retry.scheduled', (e) => scheduled.push(e));
  const options = parsePolicy({ retry: { jitter: false, ...retry } }).retry;
  const policy = new RetryPolicy(options, policyEnv({ clock, events, random: () => 0.5 }));
  return { clock, policy, scheduled };
}

function context(method = 'GET', idempotencyKey?: string): CallContext {
  const ctx = new CallContext();
  ctx.repeatable = isMethodRetryable(method, idempotencyKey);
  return ctx;
}

/** Runs the call while advancing the fake clock until it settles. */
async function settle<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 200 && !done; i++) await clock.advance(100);
  return promise;
}

test('backoff: constant, linear and exponential grow as documented and stop at the max delay', () => {
  const base = parsePolicy({ retry: { jitter: false, initialDelayMs: 100, maxDelayMs: 1000 } }).retry;
  const delays = (backoff: Policy['retry']['backoff']) =>
    [1, 2, 3, 4, 5].map((n) => backoffDelay(n, 0, { ...base, backoff }));
  assert.deepEqual(delays('constant'), [100, 100, 100, 100, 100]);
  assert.deepEqual(delays('linear'), [100, 200, 300, 400, 500]);
  assert.deepEqual(delays('exponential'), [100, 200, 400, 800, 1000]);
});

test('backoff: decorrelated jitter stays between the initial delay and three times the previous delay', () => {
  const options = parsePolicy({ retry: { initialDelayMs: 100, maxDelayMs: 10_000 } }).retry;
  let previous = 0;
  for (let retry = 1; retry < 50; retry++) {
    const delay = backoffDelay(retry, previous, options);
    assert.ok(delay >= 100 && delay <= Math.max(100, previous * 3), `delay ${delay} after ${previous}`);
    previous = delay;
  }
});

test('Retry-After is read as seconds or as an HTTP-date; X-RateLimit-Reset as delta or epoch seconds', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now), 7000);
  assert.equal(parseRetryAfter('garbage', now), undefined);
  assert.equal(parseRateLimitReset('5', now), 5000);
  assert.equal(parseRateLimitReset(String(now / 1000 + 12), now), 12_000);
});

test('retries a retryable status and returns the first good answer', async () => {
  const { clock, policy } = setup({ initialDelayMs: 100 });
  const statuses = [503, 502, 200];
  let calls = 0;
  const result = await settle(
    clock,
    policy.run(async () => answer(statuses[calls++]), context()),
  );
  assert.equal(result.status, 200);
  assert.equal(calls, 3);
});

test('gives up after maxRetries and resolves with the last answer', async () => {
  const { clock, policy } = setup({ maxRetries: 2, initialDelayMs: 10 });
  let calls = 0;
  const result = await settle(
    clock,
    policy.run(async () => {
      calls++;
      return answer(500);
    }, context()),
  );
  assert.equal(result.status, 500);
  assert.equal(calls, 3);
});

test('does not retry 4xx answers, cancels or unknown errors; retries network errors and attempt timeouts', async () => {
  const { clock, policy } = setup({ initialDelayMs: 10 });
  let calls = 0;
  await settle(
    clock,
    policy.run(async () => {
      calls++;
      return answer(404);
    }, context()),
  );
  assert.equal(calls, 1);

  for (const error of [new CancelledError(), new TimeoutError('overall', 1000), new Error('bug')]) {
    calls = 0;
    await assert.rejects(
      settle(
        clock,
        policy.run(async () => {
          calls++;
          return Promise.reject(error);
        }, context()),
      ),
      (e) => e === error,
    );
    assert.equal(calls, 1, error.name);
  }
  for (const error of [new NetworkError('reset', new Error('ECONNRESET')), new TimeoutError('attempt', 1000)]) {
    calls = 0;
    await assert.rejects(
      settle(
        clock,
        policy.run(async () => {
          calls++;
          return Promise.reject(error);
        }, context()),
      ),
    );
    assert.equal(calls, 4, error.name);
  }
});

test('Retry-After longer than the backoff is honoured exactly, never undercut', async () => {
  const { clock, policy, scheduled } = setup({ initialDelayMs: 100 });
  const startedAt: number[] = [];
  const result = await settle(
    clock,
    policy.run(async () => {
      startedAt.push(clock.now());
      return startedAt.length === 1 ? answer(429, { 'retry-after': '3' }) : answer(200);
    }, context()),
  );
  assert.equal(result.status, 200);
  assert.equal(startedAt[1] - startedAt[0], 3000);
  assert.equal(scheduled[0].reason, 'retry-after');
  assert.equal(scheduled[0].delayMs, 3000);
});

test('a Retry-After shorter than the backoff does not shorten the backoff', async () => {
  const { clock, policy, scheduled } = setup({ initialDelayMs: 2000 });
  let calls = 0;
  await settle(
    clock,
    policy.run(async () => (calls++ === 0 ? answer(503, { 'retry-after': '1' }) : answer(200)), context()),
  );
  assert.equal(scheduled[0].delayMs, 2000);
  assert.equal(scheduled[0].reason, 'backoff');
});

test('X-RateLimit-Reset on a 429 sets the delay when there is no Retry-After', async () => {
  const { clock, policy, scheduled } = setup({ initialDelayMs: 10 });
  let calls = 0;
  await settle(
    clock,
    policy.run(
      async () =>
        calls++ === 0 ? answer(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4' }) : answer(200),
      context(),
    ),
  );
  assert.deepEqual([scheduled[0].delayMs, scheduled[0].reason], [4000, 'x-ratelimit-reset']);
});

test('a retry that would start past the overall deadline is not made', async () => {
  const { clock, policy } = setup({ initialDelayMs: 10 });
  const ctx = context();
  ctx.deadlineAt = clock.now() + 5000;
  let calls = 0;
  const result = await settle(
    clock,
    policy.run(async () => {
      calls++;
      return answer(503, { 'retry-after': '10' });
    }, ctx),
  );
  assert.equal(result.status, 503);
  assert.equal(calls, 1);
});

test('POST is retried only when it carries an idempotency key', async () => {
  const { clock, policy } = setup({ initialDelayMs: 10 });
  let calls = 0;
  await settle(
    clock,
    policy.run(async () => {
      calls++;
      return answer(503);
    }, context('POST')),
  );
  assert.equal(calls, 1);
  calls = 0;
  await settle(
    clock,
    policy.run(
      async () => {
        calls++;
        return answer(503);
      },
      context('POST', 'key-1'),
    ),
  );
  assert.equal(calls, 4);
});

test('the retry budget allows retries up to its ratio of calls, with a floor', () => {
  const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSec: 0.1, windowMs: 10_000 });
  const now = 1_000_000;
  for (let i = 0; i < 100; i++) budget.recordCall(now);
  let granted = 0;
  while (budget.tryAcquire(now)) granted++;
  assert.equal(granted, 20);

  const quiet = new RetryBudget({ ratio: 0.2, minRetriesPerSec: 0.3, windowMs: 10_000 });
  quiet.recordCall(now);
  let floor = 0;
  while (quiet.tryAcquire(now)) floor++;
  assert.equal(floor, 3);
  // Outside the window the old calls and retries no longer count.
  assert.equal(budget.tryAcquire(now + 11_000), true);
});

test('an exhausted budget stops retries during an outage', async () => {
  const { clock, policy } = setup({
    initialDelayMs: 10,
    budget: { ratio: 0.1, minRetriesPerSec: 0, windowMs: 10_000 },
  });
  let upstreamCalls = 0;
  const outage = async () => {
    upstreamCalls++;
    return answer(503);
  };
  const calls = Array.from({ length: 20 }, () => policy.run(outage, context()));
  await settle(clock, Promise.all(calls));
  // 20 calls, 10% may be retried: 2 retries in all instead of 60.
  assert.equal(upstreamCalls, 22);
});
