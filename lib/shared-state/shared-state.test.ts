import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
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

/** A generous timeout: on a loaded machine a short one would fall back where a test expects sharing. */
function instance(url = REDIS_URL, timeoutMs = 2000): SharedState {
  const state = new SharedState({ url, timeoutMs, prefix });
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
  await Promise.all(states.map((state) => state.close()));
  const cleaner = new Redis(REDIS_URL);
  const keys = await cleaner.keys(`${prefix}*`);
  if (keys.length > 0) await cleaner.del(...keys);
  cleaner.disconnect();
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

/** Both instances hear each other's breaker messages (a message published before is not heard). */
async function listening(...instances: SharedState[]): Promise<void> {
  await Promise.all(instances.map((state) => state.redis.listening()));
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

test('a caller and its integration take their tokens together: one refused, neither is spent', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  const [storeA, storeB] = [a.rateLimitStore('pair'), b.rateLimitStore('pair')];
  const bucket = { ratePerMs: 1 / 1000, burst: 1 };
  const t = 1_700_000_000_000;
  assert.deepEqual(await storeA.acquirePair('pair:caller:1', 'pair', bucket, 0, t), { granted: true, waitMs: 0 });
  // The integration's one token is gone: caller 2 is refused by it, and keeps its own token.
  const refused = await storeB.acquirePair('pair:caller:2', 'pair', bucket, 0, t);
  assert.deepEqual(refused, { granted: false, waitMs: 1000, refusedBy: 'pair' });
  assert.deepEqual(await storeB.acquire('pair:caller:2', bucket, 0, t), { granted: true, waitMs: 0 });
  // Caller 1's own bucket is empty: refused by it, the integration's refilled token stays.
  const callerEmpty = await storeA.acquirePair('pair:caller:1', 'pair', bucket, 0, t + 500);
  assert.equal(callerEmpty.refusedBy, 'pair:caller:1');
  assert.equal((await storeB.acquirePair('pair:caller:3', 'pair', bucket, 0, t + 1000)).granted, true);
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
  await listening(a, b);
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
  while (!(await a.redis.client.exists(`${prefix}breaker:late`))) await sleep(10);
  const clientB = clientOn(b, 'late');
  await eventually(() => clientB.breaker.state === 'isolated');
  clientA.breaker.reset();
});

test('half-open: one probe for the whole cluster; its success closes every instance', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  const policy = { breaker: { consecutiveFailures: 1, openMs: 100 } };
  const [clientA, clientB] = [clientOn(a, 'probe', policy), clientOn(b, 'probe', policy)];
  await listening(a, b);
  handler = (_req, res) => {
    res.writeHead(500);
    res.end();
  };
  await clientA.request({ method: 'GET', path: '/fail' });
  // Open for 100 ms only: B may already be half-open when first looked at.
  await eventually(() => clientB.breaker.state !== 'closed');
  await eventually(() => clientA.breaker.state === 'half-open' && clientB.breaker.state === 'half-open');
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let probing = false;
  handler = (_req, res) => {
    probing = true;
    void held.then(() => res.end('ok'));
  };
  const probe = clientA.request({ method: 'GET', path: '/probe' });
  await eventually(() => probing);
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
  // A cluster-scoped breaker on A's instance shows when B's transitions have arrived there.
  const [clientA, clientB, witness] = [clientOn(a, 'local', local), clientOn(b, 'local'), clientOn(a, 'local')];
  await listening(a, b);
  clientA.breaker.isolate();
  assert.equal(witness.breaker.state, 'closed', 'the local one told nobody');
  clientB.breaker.isolate();
  await eventually(() => witness.breaker.state === 'isolated');
  clientB.breaker.reset();
  await eventually(() => witness.breaker.state === 'closed');
  assert.equal(clientA.breaker.state, 'isolated', 'the local one ignored the other instance');
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
  let missed = false;
  clientB.events.on('cache.miss', () => {
    missed = true;
  });
  const second = clientB.request({ method: 'GET', path: '/slow' });
  // B's miss asks for the fill lock at once; held by A, B then waits for A's entry.
  await eventually(() => missed);
  await sleep(50);
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

/** A port nothing listens on (a server opened and closed on it). */
async function closedPort(): Promise<number> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return port;
}

test('with Redis unreachable calls succeed on local state, and the degradation shows in the metrics', async () => {
  const port = await closedPort();
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

/** A TCP relay to the real Redis that can hold its answers back: Redis as seen through a congested link. */
async function stallableRedis(port = 0): Promise<{ url: string; stall(on: boolean): void; close(): void }> {
  const target = new URL(REDIS_URL);
  let stalled = false;
  const held: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const relay = createNetServer((inbound) => {
    const outbound = connect(Number(target.port || 6379), target.hostname);
    sockets.add(inbound).add(outbound);
    inbound.on('data', (chunk) => outbound.write(chunk));
    outbound.on('data', (chunk) => {
      if (stalled) held.push(() => inbound.write(chunk));
      else inbound.write(chunk);
    });
    for (const socket of [inbound, outbound]) socket.on('error', () => {}).on('close', () => socket.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    stall: (on) => {
      stalled = on;
      if (!on) for (const write of held.splice(0)) write();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      relay.close();
    },
  };
}

test('a Redis slower than the timeout: calls go on locally, then sharing comes back by itself', async () => {
  const link = await stallableRedis();
  // Held back answers never come while stalled: any timeout expires, this one keeps the test short.
  const slow = instance(link.url, 500);
  const peer = instance();
  await Promise.all([slow.redis.ready(), peer.redis.ready()]);
  handler = (_req, res) => res.end('ok');
  const [client, peerClient] = [clientOn(slow, 'slow'), clientOn(peer, 'slow')];
  assert.equal((await client.request({ method: 'GET', path: '/warm' })).status, 200);
  assert.equal(slow.redis.health.degraded, false);

  link.stall(true);
  const during = await client.request({ method: 'GET', path: '/during' });
  assert.equal(during.status, 200);
  assert.equal(during.cache, 'miss', 'answered from the upstream, the shared cache out of reach');
  assert.equal(slow.redis.health.degraded, true);

  link.stall(false);
  // The late answers reach commands that already timed out; the connection itself is still good.
  await eventually(() => {
    void client.request({ method: 'GET', path: '/warm' });
    return !slow.redis.health.degraded;
  });
  await peerClient.request({ method: 'GET', path: '/after' });
  const after = await client.request({ method: 'GET', path: '/after' });
  assert.equal(after.cache, 'hit', 'the shared cache is in use again');
  link.close();
});

test('a message published by one instance reaches the other', async () => {
  const [a, b] = [instance(), instance()];
  await Promise.all([a.redis.ready(), b.redis.ready()]);
  const heard: string[] = [];
  b.redis.subscribe('config', (message) => heard.push(message));
  await b.redis.listening();
  await a.redis.publish('config', 'v2');
  await eventually(() => heard.length > 0);
  assert.deepEqual(heard, ['v2']);
});

test('an instance that started while Redis was down hears the others once Redis is back', async () => {
  const port = await closedPort();
  const late = instance(`redis://127.0.0.1:${port}`);
  const heard: string[] = [];
  late.redis.subscribe('config', (message) => heard.push(message));
  assert.equal((await late.rateLimitStore('down').acquire('k', { ratePerMs: 1, burst: 1 }, 0, 0)).granted, true);
  assert.equal(late.redis.health.degraded, true);
  // Both connections (commands, subscriptions) have been refused at least once before Redis comes.
  await eventually(() => late.redis.client.status === 'reconnecting');
  await sleep(300);
  const link = await stallableRedis(port);
  await late.redis.ready(30_000);
  await late.redis.listening();
  const peer = instance();
  await peer.redis.ready();
  await peer.redis.publish('config', 'after the outage');
  await eventually(() => heard.length > 0);
  assert.deepEqual(heard, ['after the outage']);
  link.close();
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
