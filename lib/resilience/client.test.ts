import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResilientClient } from './client.ts';
import {
  BulkheadRejectedError,
  CancelledError,
  CircuitOpenError,
  NetworkError,
  RateLimitedError,
  type ResilienceError,
  TimeoutError,
} from './errors.ts';
import type { CallSummary } from './events.ts';
import type { PolicyInput } from './options.ts';

// The client as a whole against a small local server whose answers are decided per path.

let origin = '';
/** Requests the server received, by path: what the upstream saw. */
const received = new Map<string, number>();
const server = createServer((req, res) => {
  received.set(req.url ?? '', (received.get(req.url ?? '') ?? 0) + 1);
  if (req.url?.startsWith('/reset')) {
    // Answers nothing and drops the connection once the second caller has joined the first.
    setTimeout(() => req.socket.destroy(), 50);
    return;
  }
  if (req.url?.startsWith('/slow')) {
    setTimeout(() => res.end('slow'), 100);
    return;
  }
  res.setHeader('trackingid', 'up-42');
  res.end(JSON.stringify({ path: req.url }));
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function clientWith(policy: PolicyInput = {}) {
  const summaries: CallSummary[] = [];
  const client = new ResilientClient({
    name: 'local',
    origin,
    policy,
    onEvent: (e) => {
      if (e.type === 'call.end') summaries.push(e.summary);
    },
  });
  return { client, summaries };
}

test('every call ends with one call.end summary, cache hits included', async () => {
  const { client, summaries } = clientWith();
  const first = await client.request({ method: 'GET', path: '/a?x=1' });
  const second = await client.request({ method: 'GET', path: '/a?x=1' });
  assert.deepEqual([first.cache, second.cache], ['miss', 'hit']);
  assert.deepEqual(
    summaries.map((s) => [s.outcome, s.cache, s.route, s.attempts.length]),
    [
      ['success', 'miss', '/a', 1],
      ['success', 'hit', '/a', 0],
    ],
  );
  assert.equal(first.upstreamRequestId, 'up-42');
  await client.close();
});

test('a route label names the call in telemetry while cache rules still match its route', async () => {
  const { client, summaries } = clientWith({ cache: { neverCacheRoutes: ['/users/*'] } });
  for (let i = 0; i < 2; i++)
    await client.request({ method: 'GET', path: '/users/7', route: '/users/:id', routeLabel: 'other' });
  assert.deepEqual(
    summaries.map((s) => [s.route, s.cache]),
    [
      ['other', 'bypass'],
      ['other', 'bypass'],
    ],
  );
  await client.request({ method: 'GET', path: '/orders/7', route: '/orders/:id', routeLabel: 'other' });
  await client.request({ method: 'GET', path: '/orders/7', route: '/orders/:id', routeLabel: 'other' });
  assert.equal(summaries.at(-1)!.cache, 'hit');
});

test("a caller's own x-request-id header is kept as the call's request id", async () => {
  const { client } = clientWith({ cache: { enabled: false } });
  const response = await client.request({ method: 'GET', path: '/a', headers: { 'X-Request-Id': 'caller-7' } });
  assert.equal(response.requestId, 'caller-7');
  await client.close();
});

test('the call id is the request id unless the caller gives one; the upstream sees the request id only', async () => {
  const { client, summaries } = clientWith({ cache: { enabled: false } });
  await client.request({ method: 'GET', path: '/a', requestId: 'caller-8' });
  await client.request({ method: 'GET', path: '/a', requestId: 'caller-8', callId: 'call-2' });
  assert.deepEqual(
    summaries.map((s) => [s.requestId, s.callId, s.requestHeaders['x-request-id']]),
    [
      ['caller-8', 'caller-8', 'caller-8'],
      ['caller-8', 'call-2', 'caller-8'],
    ],
  );
  await client.close();
});

test('an already aborted signal rejects at once with CancelledError and no attempt', async () => {
  const { client, summaries } = clientWith();
  await assert.rejects(
    client.request({ method: 'GET', path: '/a', signal: AbortSignal.abort() }),
    (error: CancelledError) => error instanceof CancelledError && error.attempts.length === 0,
  );
  assert.equal(summaries[0].outcome, 'cancelled');
  await client.close();
});

test('onCancel: cancelling mid-call rejects with CancelledError, cancelled before rejects with no attempt, after the end does nothing', async () => {
  const { client, summaries } = clientWith({ cache: { enabled: false } });
  let cancel!: (reason?: unknown) => void;
  const slow = client.request({
    method: 'GET',
    path: '/slow/cancelled',
    onCancel: (given) => {
      cancel = given;
    },
  });
  setTimeout(() => cancel('caller gone'), 10);
  await assert.rejects(slow, CancelledError);
  assert.equal(summaries.at(-1)?.outcome, 'cancelled');

  await assert.rejects(
    client.request({ method: 'GET', path: '/a', onCancel: (given) => given() }),
    (error: CancelledError) => error instanceof CancelledError && error.attempts.length === 0,
  );

  const answered = await client.request({
    method: 'GET',
    path: '/a',
    onCancel: (given) => {
      cancel = given;
    },
  });
  cancel('too late');
  assert.equal(answered.status, 200);
  assert.equal(summaries.at(-1)?.outcome, 'success');
  await client.close();
});

test('a caller over its rate limit is rejected with RateLimitedError while others still pass', async () => {
  const { client, summaries } = clientWith({ rateLimit: { perMinute: 60, burst: 1 }, cache: { enabled: false } });
  await client.request({ method: 'GET', path: '/a', callerKey: 'alice' });
  await assert.rejects(client.request({ method: 'GET', path: '/a', callerKey: 'alice' }), RateLimitedError);
  assert.equal(summaries[1].outcome, 'rate_limited');
  assert.equal(summaries[1].rateLimited, true);
  await client.close();
});

test('calls beyond the bulkhead and its queue are rejected', async () => {
  const { client } = clientWith({ bulkhead: { maxConcurrent: 1, maxQueue: 1 }, cache: { enabled: false } });
  const calls = [1, 2, 3].map((n) => client.request({ method: 'GET', path: `/slow/${n}` }));
  const results = await Promise.allSettled(calls);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'rejected'],
  );
  assert.ok((results[2] as PromiseRejectedResult).reason instanceof BulkheadRejectedError);
  await client.close();
});

test('pipeline.execute runs any function through the policies, and its signal fires at the deadline', async () => {
  const { client } = clientWith({ timeout: { attemptMs: 50, overallMs: 50 } });
  assert.equal(await client.pipeline.execute(async () => 'done'), 'done');
  await assert.rejects(
    client.pipeline.execute(
      (ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        }),
    ),
    (error: TimeoutError) => error instanceof TimeoutError && error.scope === 'overall',
  );
  await client.close();
});

test('updatePolicy validates its input and keeps the old settings on error', async () => {
  const { client } = clientWith();
  assert.throws(() => client.updatePolicy({ bulkhead: { maxConcurrent: 0 } }));
  assert.equal(client.policy.bulkhead.maxConcurrent, 5);
  client.updatePolicy({ bulkhead: { maxConcurrent: 7 } });
  assert.equal(client.policy.bulkhead.maxConcurrent, 7);
  await client.close();
});

test('callers sharing one failed cache miss each get an error that tells their own call', async () => {
  const { client } = clientWith({ retry: { maxRetries: 0 } });
  const failures = await Promise.allSettled([
    client.request({ method: 'GET', path: '/reset', requestId: 'leader' }),
    client.request({ method: 'GET', path: '/reset', requestId: 'follower' }),
  ]);
  const [leader, follower] = failures.map((f) => (f as PromiseRejectedResult).reason as ResilienceError);
  assert.ok(leader instanceof NetworkError && follower instanceof NetworkError);
  assert.deepEqual(
    [leader.requestId, leader.summary.requestId, leader.attempts.length],
    ['leader', 'leader', 1],
    "the follower's end does not rewrite the leader's error",
  );
  assert.deepEqual(
    [follower.requestId, follower.summary.requestId, follower.attempts.length, follower.errorType],
    ['follower', 'follower', 0, leader.errorType],
  );
  await client.close();
});

// The cache sits before the limiter and the breaker (fallback → cache → rate limit → … → breaker).

test('fresh cache hits spend no rate-limit token: the bucket still has one for an uncached call', async () => {
  const { client, summaries } = clientWith({ rateLimit: { perMinute: 1, burst: 2 } });
  assert.equal((await client.request({ method: 'GET', path: '/tokens/cached' })).cache, 'miss');
  for (let i = 0; i < 5; i++) {
    const hit = await client.request({ method: 'GET', path: '/tokens/cached' });
    assert.deepEqual([hit.status, hit.cache], [200, 'hit']);
  }
  assert.equal((await client.request({ method: 'GET', path: '/tokens/other' })).status, 200);
  await assert.rejects(client.request({ method: 'GET', path: '/tokens/third' }), RateLimitedError);
  assert.equal(received.get('/tokens/cached'), 1);
  assert.ok(summaries.slice(1, 6).every((s) => s.cache === 'hit' && !s.rateLimited && s.outcome === 'success'));
  await client.close();
});

test('a fresh cache hit is served while the breaker is open; an uncached call is short-circuited', async () => {
  const { client } = clientWith();
  await client.request({ method: 'GET', path: '/open/cached' });
  client.breaker.forceOpen();
  const hit = await client.request({ method: 'GET', path: '/open/cached' });
  assert.deepEqual([hit.status, hit.cache, hit.attempts.length], [200, 'hit', 0]);
  await assert.rejects(client.request({ method: 'GET', path: '/open/uncached' }), CircuitOpenError);
  assert.equal(received.get('/open/uncached'), undefined, 'the open breaker sent nothing upstream');
  await client.close();
});

test('stale-if-error answers from the cache while the breaker is open', async () => {
  const { client, summaries } = clientWith({ cache: { ttlMs: 1, staleIfErrorMs: 60_000 } });
  const fresh = await client.request({ method: 'GET', path: '/open/stale' });
  await sleep(5);
  client.breaker.forceOpen();
  const stale = await client.request({ method: 'GET', path: '/open/stale' });
  assert.deepEqual([stale.status, stale.cache], [200, 'stale']);
  assert.deepEqual(stale.body, fresh.body);
  assert.equal(received.get('/open/stale'), 1, 'the expired entry was not refreshed through the open breaker');
  assert.equal(summaries.at(-1)?.cache, 'stale');
  await client.close();
});

test('an expired entry with no stale-if-error is not served while the breaker is open', async () => {
  const { client } = clientWith({ cache: { ttlMs: 1 } });
  await client.request({ method: 'GET', path: '/open/expired' });
  await sleep(5);
  client.breaker.forceOpen();
  await assert.rejects(client.request({ method: 'GET', path: '/open/expired' }), CircuitOpenError);
  await client.close();
});
