import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CircuitOpenError, type PolicyInput, RateLimitedError, ResilientClient } from '@/lib/resilience';
import { MetricsRegistry, renderPrometheus } from '@/lib/telemetry';
import { MemoryIdempotencyStore } from './idempotency';
import { SharedState } from './state';

// Two SharedState objects in one process are two instances: each has its own connections and instance id,
// and they meet only in Redis (REDIS_URL, 127.0.0.1:6379 by default, as in CI). Every key of this run is
// under a prefix of its own, deleted at the end.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bw-test-${randomUUID()}:`;
const states: SharedState[] = [];
const clients: ResilientClient[] = [];

function instance(url = REDIS_URL): SharedState {
  const state = new SharedState({ url, timeoutMs: 200, prefix });
  states.push(state);
  return state;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let upstream: Server;
let origin: string;
let handler: Handler = (_req, res) => res.end('ok');
let upstreamCalls = 0;

before(async () => {
  upstream = createServer((req, res) => {
    upstreamCalls++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  upstream.close();
  const cleaner = states[0].redis.client;
  const keys = await cleaner.keys(`${prefix}*`);
  if (keys.length > 0) await cleaner.del(...keys);
  await Promise.all(states.map((state) => state.close()));
});

/** A client of integration `namespace` on `state`, sharing what a registry client shares. */
function clientOn(state: SharedState, namespace: string, policy: PolicyInput = {}): ResilientClient {
  const client = new ResilientClient({
    name: 'shared',
    origin,
    policy: { retry: { maxRetries: 0 }, rateLimit: { enabled: false }, ...policy },
    rateLimitStore: state.rateLimitStore(namespace),
    cacheStore: state.cacheStore(namespace, 1000),
  });
  state.breakers.attach(namespace, client.breaker);
  clients.push(client);
  return client;
}

/** Waits (bounded by the test's timeout) until `check` holds: propagation is asynchronous. */
async function eventually(check: () => boolean): Promise<void> {
  while (!check()) await sleep(10);
}

test('two instances together grant the configured rate, within 5%, however calls alternate', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  const [storeA, storeB] = [a.rateLimitStore('rate'), b.rateLimitStore('rate')];
  const bucket = { ratePerMs: 600 / 60_000, burst: 10 };
  // A simulated minute of calls every 5 ms, alternating instances: 12,000 asks for 600/min (+ the burst).
  let granted = 0;
  const start = 1_700_000_000_000;
  for (let t = 0; t < 60_000; t += 5) {
    const store = (t / 5) % 2 === 0 ? storeA : storeB;
    if ((await store.acquire('rate', bucket, 0, start + t)).granted) granted++;
  }
  const expected = 600 + bucket.burst;
  assert.ok(Math.abs(granted - expected) / expected <= 0.05, `granted ${granted}, expected about ${expected}`);
  assert.equal(a.redis.health.fallbacks + b.redis.health.fallbacks, 0);
});

test("a 429 one instance saw makes the other instance's calls wait for the upstream's reset", async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  const policy = { rateLimit: { enabled: true, perMinute: 6000, burst: 100, maxWaitMs: 0 } };
  const [clientA, clientB] = [clientOn(a, 'learn', policy), clientOn(b, 'learn', policy)];
  handler = (_req, res) => {
    res.writeHead(429, { 'retry-after': '30' });
    res.end();
  };
  assert.equal((await clientA.request({ method: 'GET', path: '/limited' })).status, 429);
  handler = (_req, res) => res.end('ok');
  await assert.rejects(clientB.request({ method: 'GET', path: '/after' }), RateLimitedError);
});

test('a breaker opened by failures on one instance rejects on the other; isolate and reset act on both', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  const policy = { breaker: { consecutiveFailures: 3, openMs: 60_000 } };
  const [clientA, clientB] = [clientOn(a, 'breaker', policy), clientOn(b, 'breaker', policy)];
  await eventually(() => a.redis.client.status === 'ready');
  handler = (_req, res) => {
    res.writeHead(503);
    res.end();
  };
  for (let i = 0; i < 3; i++) await clientA.request({ method: 'GET', path: '/down' });
  assert.equal(clientA.breaker.state, 'open');
  await eventually(() => clientB.breaker.state === 'open');
  const before = upstreamCalls;
  await assert.rejects(clientB.request({ method: 'GET', path: '/down' }), CircuitOpenError);
  assert.equal(upstreamCalls, before, 'the other instance sent nothing upstream');

  clientB.breaker.reset();
  await eventually(() => clientA.breaker.state === 'closed');
  clientA.breaker.isolate();
  await eventually(() => clientB.breaker.state === 'isolated');
  clientB.breaker.reset();
  await eventually(() => clientA.breaker.state === 'closed');
  handler = (_req, res) => res.end('ok');
  assert.equal((await clientB.request({ method: 'GET', path: '/up' })).status, 200);
});

test('a breaker attached later starts from the state the cluster stored', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  const clientA = clientOn(a, 'late');
  clientA.breaker.isolate();
  await sleep(50);
  const clientB = clientOn(b, 'late');
  await eventually(() => clientB.breaker.state === 'isolated');
  clientA.breaker.reset();
});

test('half-open: one probe for the whole cluster; its success closes every instance', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  const policy = { breaker: { consecutiveFailures: 1, openMs: 100 } };
  const [clientA, clientB] = [clientOn(a, 'probe', policy), clientOn(b, 'probe', policy)];
  handler = (_req, res) => {
    res.writeHead(500);
    res.end();
  };
  await clientA.request({ method: 'GET', path: '/fail' });
  await eventually(() => clientB.breaker.state === 'open');
  await eventually(() => clientA.breaker.state === 'half-open' && clientB.breaker.state === 'half-open');
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  handler = (_req, res) => void held.then(() => res.end('ok'));
  const probe = clientA.request({ method: 'GET', path: '/probe' });
  await eventually(() => upstreamCalls > 0 && clientA.breaker.state === 'half-open');
  await sleep(20);
  const callsDuringProbe = upstreamCalls;
  await assert.rejects(clientB.request({ method: 'GET', path: '/second-probe' }), CircuitOpenError);
  assert.equal(upstreamCalls, callsDuringProbe);
  release();
  assert.equal((await probe).status, 200);
  await eventually(() => clientB.breaker.state === 'closed');
  handler = (_req, res) => res.end('ok');
});

test("a breaker of scope 'local' neither tells nor follows the cluster", async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  const local = { breaker: { consecutiveFailures: 1, scope: 'local' as const } };
  const [clientA, clientB] = [clientOn(a, 'local', local), clientOn(b, 'local')];
  clientA.breaker.isolate();
  clientB.breaker.isolate();
  await sleep(100);
  assert.equal(clientA.breaker.state, 'isolated', 'the local one ignored the other instance');
  clientB.breaker.reset();
  await sleep(100);
  assert.equal(clientA.breaker.state, 'isolated');
});

test('a GET cached by one instance is a hit on the other; invalidation by pattern empties it for both', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  handler = (req, res) => res.end(`answer to ${req.url}`);
  const [clientA, clientB] = [clientOn(a, 'cache'), clientOn(b, 'cache')];
  const first = await clientA.request({ method: 'GET', path: '/items/1' });
  assert.equal(first.cache, 'miss');
  const calls = upstreamCalls;
  const second = await clientB.request({ method: 'GET', path: '/items/1' });
  assert.equal(second.cache, 'hit');
  assert.equal(second.body.toString(), 'answer to /items/1');
  assert.equal(upstreamCalls, calls);

  assert.equal(await clientB.cache.invalidate('GET **/items/*'), 1);
  assert.equal((await clientA.request({ method: 'GET', path: '/items/1' })).cache, 'miss');
});

test('concurrent identical misses on two instances reach the upstream once', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let seen = 0;
  handler = (_req, res) => {
    seen++;
    void held.then(() => res.end('filled once'));
  };
  const [clientA, clientB] = [clientOn(a, 'fill'), clientOn(b, 'fill')];
  const first = clientA.request({ method: 'GET', path: '/slow' });
  await eventually(() => seen === 1);
  const second = clientB.request({ method: 'GET', path: '/slow' });
  await sleep(60);
  release();
  const [one, two] = await Promise.all([first, second]);
  assert.equal(seen, 1);
  assert.deepEqual([one.body.toString(), two.body.toString()], ['filled once', 'filled once']);
  assert.equal(two.cache, 'hit');
  handler = (_req, res) => res.end('ok');
});

test('the cache keeps at most maxEntries per integration in Redis, oldest out first', async () => {
  const a = instance();
  await a.redis.ready();
  const store = a.cacheStore('bounded', 2);
  const entry = (n: number) => ({
    status: 200,
    headers: {},
    body: Buffer.from(`body ${n}`),
    storedAt: Date.now() + n,
    expiresAt: Date.now() + 60_000,
    staleUntil: Date.now() + 60_000,
  });
  for (const n of [1, 2, 3]) await store.set(`GET /n/${n}`, entry(n));
  assert.equal(await store.get('GET /n/1'), undefined);
  assert.equal((await store.get('GET /n/3'))?.body.toString(), 'body 3');
  assert.equal(await a.redis.client.zcard(`${prefix}cache-index:bounded`), 2);
});

test('with Redis unreachable calls succeed on local state, and the degradation shows in the metrics', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const down = instance(`redis://127.0.0.1:${port}`);
  handler = (_req, res) => res.end('ok');
  const client = clientOn(down, 'outage', {
    rateLimit: { enabled: true, perMinute: 60, burst: 2, maxWaitMs: 0 },
    breaker: { consecutiveFailures: 2 },
  });
  assert.equal((await client.request({ method: 'GET', path: '/a' })).status, 200);
  assert.equal((await client.request({ method: 'GET', path: '/b' })).status, 200);
  // The local bucket still limits: the burst of 2 is spent.
  await assert.rejects(client.request({ method: 'GET', path: '/c' }), RateLimitedError);
  client.breaker.isolate();
  assert.equal(client.breaker.state, 'isolated');
  client.breaker.reset();
  const health = down.redis.health;
  assert.equal(health.degraded, true);
  assert.ok(health.fallbacks >= 3);
  const text = renderPrometheus(
    new MetricsRegistry(),
    { droppedCallLogRows: 0, droppedRollups: 0, failedFlushes: 0 },
    undefined,
    undefined,
    health,
  );
  assert.match(text, /^breakwater_redis_degraded 1$/m);
  assert.match(text, /^breakwater_redis_fallbacks_total \d+$/m);
});

test('a message published by one instance reaches the other', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  const heard: string[] = [];
  b.redis.subscribe('config', (message) => heard.push(message));
  // The subscription is made on a connection of its own; publish until it is in place.
  while (heard.length === 0) {
    await a.redis.publish('config', 'v2');
    await sleep(20);
  }
  assert.equal(heard[0], 'v2');
});

test('an idempotency key claimed on one instance is in flight, then replayed, on the other', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  assert.deepEqual(await a.idempotency.claim('int:tok', 'k1', 'fp', 10_000), { kind: 'claimed' });
  assert.deepEqual(await b.idempotency.claim('int:tok', 'k1', 'fp', 10_000), { kind: 'in-flight' });
  assert.deepEqual(await b.idempotency.claim('int:tok', 'k1', 'other', 10_000), { kind: 'mismatch' });
  const answer = { status: 201, headers: { 'x-a': '1' }, body: Buffer.from('made'), bodyOmitted: false };
  await a.idempotency.complete('int:tok', 'k1', 'fp', answer, 60_000);
  assert.deepEqual(await b.idempotency.claim('int:tok', 'k1', 'fp', 10_000), { kind: 'replay', answer });
  // Another caller's key of the same name is its own.
  assert.deepEqual(await b.idempotency.claim('int:other', 'k1', 'fp', 10_000), { kind: 'claimed' });
  await b.idempotency.release('int:other', 'k1');
  assert.deepEqual(await a.idempotency.claim('int:other', 'k1', 'fp', 10_000), { kind: 'claimed' });
});

test('without Redis, idempotency records live in memory, bounded', async () => {
  const store = new MemoryIdempotencyStore(2);
  assert.equal((await store.claim('s', 'k1', 'fp', 10_000)).kind, 'claimed');
  assert.equal((await store.claim('s', 'k1', 'fp', 10_000)).kind, 'in-flight');
  await store.complete(
    's',
    'k1',
    'fp',
    { status: 200, headers: {}, body: Buffer.from('x'), bodyOmitted: false },
    60_000,
  );
  assert.equal((await store.claim('s', 'k1', 'fp', 10_000)).kind, 'replay');
  await store.claim('s', 'k2', 'fp', 10_000);
  await store.claim('s', 'k3', 'fp', 10_000);
  assert.equal((await store.claim('s', 'k1', 'fp', 10_000)).kind, 'claimed', 'the oldest record made room');
});
