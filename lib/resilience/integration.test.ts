import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DemoUpstream, startDemoUpstream } from '../../demo/upstream.ts';
import { type Httpbin, startHttpbin } from '../../test/support/httpbin.ts';
import { ResilientClient, type ResilientClientOptions } from './client.ts';
import { FakeClock } from './clock.ts';
import { CancelledError, CircuitOpenError, NetworkError, TimeoutError } from './errors.ts';
import type { CallSummary, ResilienceEvent } from './events.ts';
import type { PolicyInput } from './options.ts';

// Real sockets on 127.0.0.1: the fault-injecting demo upstream, Debian's httpbin, and a few tiny node:http
// servers where a test must see what happened to a connection.

let upstream: DemoUpstream;
let httpbin: Httpbin;
const clients: ResilientClient[] = [];

before(async () => {
  [upstream, httpbin] = await Promise.all([startDemoUpstream({ eventsPerSec: 0 }), startHttpbin()]);
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all([upstream.close(), httpbin.close()]);
});

/** Fast retries and no rate limiting unless a test says otherwise; demo upstream ids are captured. */
function clientFor(origin: string, policy: PolicyInput = {}, options: Partial<ResilientClientOptions> = {}) {
  const client = new ResilientClient({
    name: 'demo',
    origin,
    ...options,
    policy: {
      trackingHeaders: ['x-upstream-request-id', 'x-request-id'],
      ...policy,
      retry: { initialDelayMs: 5, maxDelayMs: 20, ...policy.retry },
      rateLimit: { perMinute: 60_000, burst: 1000, ...policy.rateLimit },
    },
  });
  clients.push(client);
  return client;
}

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${upstream.url}/__control/${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.ok, true, `control ${method} ${path}: ${response.status}`);
  return response.json();
}

const setFault = (fault: Record<string, unknown>) => control('PUT', 'faults', fault);
const resetUpstream = () => control('POST', 'reset');
const routeHits = async (route: string) =>
  ((await control('GET', 'stats')) as { byRoute: Record<string, number> }).byRoute[route] ?? 0;

async function localServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('an outage opens the breaker, calls then fail fast, and a half-open probe closes it after recovery', async () => {
  await resetUpstream();
  // The breaker's open duration runs on a fake clock, so a slow machine cannot let it half-open early.
  const clock = new FakeClock();
  const transitions: string[] = [];
  const client = clientFor(
    upstream.url,
    { retry: { maxRetries: 0 }, breaker: { consecutiveFailures: 3, openMs: 30_000 } },
    { clock, onEvent: (e) => e.type === 'breaker.transition' && transitions.push(`${e.from}->${e.to}`) },
  );
  await setFault({ route: '/accounts/*', mode: 'fail', failStatus: 503 });
  for (let i = 0; i < 3; i++) {
    const response = await client.request({ method: 'GET', path: '/accounts/1' });
    assert.equal(response.status, 503);
  }
  assert.equal(client.breaker.state, 'open');

  const hitsWhenOpened = await routeHits('/accounts/1');
  await clock.advance(10_000);
  await assert.rejects(client.request({ method: 'GET', path: '/accounts/1' }), (error: CircuitOpenError) => {
    assert.ok(error instanceof CircuitOpenError);
    assert.equal(error.retryAfterMs, 20_000);
    assert.equal(error.summary.outcome, 'circuit_open');
    return true;
  });
  assert.equal(await routeHits('/accounts/1'), hitsWhenOpened, 'the open breaker did not call the upstream');

  await control('DELETE', 'faults');
  await clock.advance(20_000);
  const probe = await client.request({ method: 'GET', path: '/accounts/1' });
  assert.equal(probe.status, 200);
  assert.equal(client.breaker.state, 'closed');
  assert.deepEqual(transitions, ['closed->open', 'open->half-open', 'half-open->closed']);
});

test('Retry-After in seconds is never undercut', async () => {
  await resetUpstream();
  const client = clientFor(upstream.url, { retry: { maxRetries: 1 } });
  await setFault({ route: '/quota', mode: 'ratelimit', retryAfter: 1 });
  const response = await client.request({ method: 'GET', path: '/quota' });
  assert.equal(response.status, 429);
  const [first, second] = response.attempts;
  assert.equal(second.delayReason, 'retry-after');
  assert.ok(second.startedAt - (first.startedAt + first.durationMs) >= 1000, 'waited at least the full second');
});

test('Retry-After as an HTTP-date is never undercut', async () => {
  await resetUpstream();
  const client = clientFor(upstream.url, { retry: { maxRetries: 1 } });
  const retryAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
  await setFault({ route: '/quota', mode: 'ratelimit', retryAfter: retryAt.toUTCString() });
  const response = await client.request({ method: 'GET', path: '/quota' });
  const [, second] = response.attempts;
  assert.equal(second.delayReason, 'retry-after');
  assert.ok(second.startedAt >= retryAt.getTime(), `second attempt ${second.startedAt} before ${retryAt.getTime()}`);
});

test('a POST without an idempotency key is not retried; with one, every attempt carries the same key', async () => {
  await resetUpstream();
  await setFault({ route: '/charges', mode: 'fail', failStatus: 503 });
  const unkeyed = clientFor(upstream.url, { idempotency: { generate: false } });
  const response = await unkeyed.request({ method: 'POST', path: '/charges', body: '{"amount":100}' });
  assert.equal(response.status, 503);
  assert.equal(response.attempts.length, 1);
  assert.deepEqual(await control('GET', 'effects'), { total: 1, unkeyed: 1, byKey: {}, duplicates: [] });

  await resetUpstream();
  await setFault({ route: '/charges', mode: 'fail', failStatus: 503 });
  const keyed = clientFor(upstream.url);
  const retried = await keyed.request({ method: 'POST', path: '/charges', body: '{"amount":100}' });
  assert.equal(retried.attempts.length, 4);
  const effects = (await control('GET', 'effects')) as { byKey: Record<string, number>; unkeyed: number };
  assert.equal(effects.unkeyed, 0);
  assert.deepEqual(Object.values(effects.byKey), [4], 'one generated key, sent on all four attempts');
});

test('the retry budget caps retries during an outage', async () => {
  await resetUpstream();
  await setFault({ route: '/outage', mode: 'fail', failStatus: 503 });
  const client = clientFor(upstream.url, {
    retry: { maxRetries: 3, budget: { ratio: 0.1, minRetriesPerSec: 0, windowMs: 10_000 } },
    breaker: { consecutiveFailures: 1000 },
  });
  const calls = 40;
  let retries = 0;
  for (let i = 0; i < calls; i++)
    retries += (await client.request({ method: 'GET', path: '/outage' })).attempts.length - 1;
  assert.ok(retries <= calls * 0.1, `${retries} retries for ${calls} calls`);
  assert.equal(await routeHits('/outage'), calls + retries, 'without the budget the upstream would see 160 requests');
});

test('identical concurrent GETs reach the upstream once', async () => {
  await resetUpstream();
  await setFault({ route: '/catalog', mode: 'ok', latencyMs: { kind: 'fixed', ms: 50 } });
  const client = clientFor(upstream.url);
  const responses = await Promise.all(
    Array.from({ length: 10 }, () => client.request({ method: 'GET', path: '/catalog' })),
  );
  assert.equal(await routeHits('/catalog'), 1);
  assert.ok(responses.every((r) => r.status === 200 && r.body.equals(responses[0].body)));
  assert.equal(responses.filter((r) => r.cache === 'miss').length, 1);
});

test('stale-if-error serves the cached body when the upstream fails', async () => {
  await resetUpstream();
  const client = clientFor(upstream.url, { cache: { ttlMs: 1, staleIfErrorMs: 60_000 } });
  const fresh = await client.request({ method: 'GET', path: '/profile' });
  assert.equal(fresh.cache, 'miss');
  await sleep(5);
  await setFault({ route: '/profile', mode: 'fail', failStatus: 500 });
  const stale = await client.request({ method: 'GET', path: '/profile' });
  assert.equal(stale.status, 200);
  assert.equal(stale.cache, 'stale');
  assert.deepEqual(stale.body, fresh.body);
});

test('a stale answer served during an outage counts as a failure for the breaker', async () => {
  await resetUpstream();
  const client = clientFor(upstream.url, {
    retry: { maxRetries: 0 },
    cache: { ttlMs: 1, staleIfErrorMs: 60_000 },
    breaker: { mode: 'consecutive', consecutiveFailures: 3 },
  });
  await client.request({ method: 'GET', path: '/profile' });
  await sleep(5);
  await setFault({ route: '/profile', mode: 'fail', failStatus: 500 });
  for (let i = 0; i < 3; i++) {
    const answer = await client.request({ method: 'GET', path: '/profile' });
    assert.equal(answer.cache, 'stale');
    await sleep(2);
  }
  assert.equal(client.breaker.state, 'open', 'three upstream 500s hidden behind stale answers still open the breaker');
});

test('the request id and traceparent reach the upstream, and its own tracking id comes back', async () => {
  await resetUpstream();
  const summaries: CallSummary[] = [];
  const client = clientFor(upstream.url, {}, { onEvent: (e) => e.type === 'call.end' && summaries.push(e.summary) });
  const response = await client.request({
    method: 'GET',
    path: '/users/7?expand=1',
    route: '/users/:id',
    requestId: 'req-123',
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  });
  const seen = (await control('GET', 'last-request')) as { headers: Record<string, string> };
  assert.equal(seen.headers['x-request-id'], 'req-123');
  assert.match(seen.headers.traceparent, /^00-0af7651916cd43dd8448eb211c80319c-[\da-f]{16}-01$/);
  assert.equal(response.requestId, 'req-123');
  assert.match(response.upstreamRequestId ?? '', /^[\da-f-]{36}$/);
  const [summary] = summaries;
  assert.deepEqual(
    {
      route: summary.route,
      path: summary.path,
      outcome: summary.outcome,
      status: summary.status,
      retries: summary.retries,
    },
    { route: '/users/:id', path: '/users/7?expand=1', outcome: 'success', status: 200, retries: 0 },
  );
  assert.equal(summary.trace.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(summary.trace.parentSpanId, 'b7ad6b7169203331');
  assert.equal(seen.headers.traceparent, `00-${summary.trace.traceId}-${summary.attempts[0].spanId}-01`);
  assert.equal(summary.upstreamRequestId, response.upstreamRequestId);
});

test('resets are retried and end as a NetworkError carrying the whole call summary', async () => {
  await resetUpstream();
  await setFault({ route: '/unstable', mode: 'reset' });
  const ends: ResilienceEvent[] = [];
  const client = clientFor(upstream.url, {}, { onEvent: (e) => e.type === 'call.end' && ends.push(e) });
  await assert.rejects(client.request({ method: 'GET', path: '/unstable' }), (error: NetworkError) => {
    assert.ok(error instanceof NetworkError);
    assert.equal(error.kind, 'reset');
    assert.equal(error.attempts.length, 4);
    assert.equal(error.summary.outcome, 'network');
    assert.equal(error.summary.retries, 3);
    return true;
  });
  assert.equal(ends.length, 1);
});

test('a hung upstream ends in a TimeoutError once the overall deadline passes', async () => {
  await resetUpstream();
  await setFault({ route: '/stuck', mode: 'hang' });
  const client = clientFor(upstream.url, { timeout: { attemptMs: 100, overallMs: 600 } });
  await assert.rejects(client.request({ method: 'GET', path: '/stuck' }), (error: TimeoutError) => {
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.summary.outcome, 'timeout');
    assert.ok(error.attempts.length >= 2, 'attempt timeouts were retried');
    assert.equal(error.attempts[0].errorType, 'timeout_attempt');
    return true;
  });
});

test('a caller abort rejects with CancelledError, is not retried, and closes the upstream connection', async () => {
  let closed!: () => void;
  const connectionClosed = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const server = await localServer((req) => req.socket.on('close', () => closed()));
  const client = clientFor(server.url);
  const controller = new AbortController();
  const call = client.request({ method: 'GET', path: '/slow', signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(call, (error: CancelledError) => {
    assert.ok(error instanceof CancelledError);
    assert.equal(error.attempts.length, 1);
    assert.equal(error.summary.outcome, 'cancelled');
    return true;
  });
  await connectionClosed;
  await server.close();
});

test('hedging: a slow first attempt is overtaken by a second one and then aborted', async () => {
  let requests = 0;
  let firstClosed!: () => void;
  const firstAborted = new Promise<void>((resolve) => {
    firstClosed = resolve;
  });
  const server = await localServer((req, res) => {
    if (++requests === 1) {
      req.socket.on('close', () => firstClosed());
      return;
    }
    res.end('fast');
  });
  const hedges: ResilienceEvent[] = [];
  const client = clientFor(
    server.url,
    { hedging: { enabled: true, delayMs: 50 }, cache: { enabled: false } },
    { onEvent: (e) => e.type === 'hedge.started' && hedges.push(e) },
  );
  const response = await client.request({ method: 'GET', path: '/search' });
  assert.equal(response.body.toString(), 'fast');
  assert.equal(hedges.length, 1);
  assert.deepEqual(
    response.attempts.map((a) => [a.number, a.hedged === true]),
    [
      [1, false],
      [2, true],
    ],
  );
  await firstAborted;
  await server.close();
});

test('a static fallback answers while the breaker is open; settings change without losing breaker state', async () => {
  await resetUpstream();
  await setFault({ route: '/quotes', mode: 'fail', failStatus: 502 });
  const client = clientFor(upstream.url, { retry: { maxRetries: 0 }, breaker: { consecutiveFailures: 2 } });
  await client.request({ method: 'GET', path: '/quotes' });
  await client.request({ method: 'GET', path: '/quotes' });
  client.updatePolicy({
    fallback: { kind: 'static', status: 200, body: '{"quotes":[]}' },
    breaker: { consecutiveFailures: 2 },
  });
  assert.equal(client.breaker.state, 'open');
  const response = await client.request({ method: 'GET', path: '/quotes' });
  assert.equal(response.status, 200);
  assert.equal(response.body.toString(), '{"quotes":[]}');
});

test('a throwing event subscriber never breaks a call', async () => {
  await resetUpstream();
  const client = clientFor(
    upstream.url,
    {},
    {
      onEvent: () => {
        throw new Error('subscriber bug');
      },
    },
  );
  const response = await client.request({ method: 'GET', path: '/health' });
  assert.equal(response.status, 200);
});

test('httpbin: a 503 is retried up to maxRetries and resolves with the last answer', async () => {
  const client = clientFor(httpbin.url, { retry: { maxRetries: 2 } });
  const response = await client.request({ method: 'GET', path: '/status/503' });
  assert.equal(response.status, 503);
  assert.deepEqual(
    response.attempts.map((a) => a.status),
    [503, 503, 503],
  );
});

test('httpbin: /headers echoes the x-request-id, traceparent and idempotency key the client sent', async () => {
  const client = clientFor(httpbin.url, { cache: { enabled: false } });
  // show_env=1: httpbin hides X-Request-Id otherwise, as a header its own proxies would add.
  const response = await client.request({ method: 'GET', path: '/headers?show_env=1', requestId: 'httpbin-1' });
  const { headers } = JSON.parse(response.body.toString()) as { headers: Record<string, string> };
  assert.equal(headers['X-Request-Id'], 'httpbin-1');
  assert.match(headers.Traceparent, /^00-[\da-f]{32}-[\da-f]{16}-01$/);

  const post = await client.request({ method: 'POST', path: '/anything', body: 'x' });
  const echoed = JSON.parse(post.body.toString()) as { headers: Record<string, string> };
  assert.match(echoed.headers['Idempotency-Key'], /^[\da-f-]{36}$/);
});
