import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type BreakwaterServer,
  callApi,
  eventually,
  PASS_THROUGH_POLICY,
  signIn,
  startBreakwater,
} from '../support/server';

// Two production servers (server.ts) on one database and one Redis (REDIS_URL, 127.0.0.1:6379 by default,
// as in CI), under a key prefix of this run: what one instance learns or keeps, the other serves.
// Instance B polls the config version only every 10 minutes, so a change reaching it came by Redis.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bw-test-${randomUUID()}:`;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('two instances sharing Redis', () => {
  let upstream: Server;
  let upstreamUrl: string;
  const routes = new Map<string, Handler>();
  const seen: { method: string; path: string }[] = [];
  let database: TestDatabase;
  let a: BreakwaterServer;
  let b: BreakwaterServer;
  let cookie: string;
  let token: string;

  before(async () => {
    upstream = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      seen.push({ method: req.method ?? '', path });
      const handler = routes.get(path);
      if (handler) return handler(req, res);
      req.resume();
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(`{"n":${seen.length}}`));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    database = await createTestDatabase();
    const env = { REDIS_URL, BREAKWATER_REDIS_PREFIX: prefix };
    a = await startBreakwater(database.url, env);
    cookie = await signIn(a);
    const created = await callApi(a, cookie, '/api/integrations', {
      method: 'POST',
      body: { name: 'Upstream', slug: 'up', baseUrl: upstreamUrl, authScheme: 'none', policy: PASS_THROUGH_POLICY },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const made = await callApi(a, cookie, '/api/tokens', { method: 'POST', body: { name: 'shared-state tests' } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    token = made.body.token;
    b = await startBreakwater(database.url, { ...env, BREAKWATER_CONFIG_POLL_MS: '600000' });
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
    upstream?.closeAllConnections();
    upstream?.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  function post(server: BreakwaterServer, path: string, body: string, key?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    if (key !== undefined) headers['idempotency-key'] = key;
    return fetch(`${server.url}/api/gw/up${path}`, { method: 'POST', headers, body });
  }

  test('a POST repeated with its Idempotency-Key on the other instance gets the first answer, upstream once', async () => {
    const before = seen.length;
    const first = await post(a, '/charges', '{"amount":5}', 'charge-1');
    assert.equal(first.status, 201);
    const firstBody = await first.text();
    const repeat = await post(b, '/charges', '{"amount":5}', 'charge-1');
    assert.equal(repeat.status, 201);
    assert.equal(repeat.headers.get('idempotent-replayed'), 'true');
    assert.equal(await repeat.text(), firstBody);
    assert.equal(repeat.headers.get('x-request-id'), first.headers.get('x-request-id'));
    assert.equal(seen.length - before, 1, 'the upstream saw one request');

    const reused = await post(b, '/charges', '{"amount":6}', 'charge-1');
    assert.equal(reused.status, 422);
    assert.equal((await reused.json()).field, 'idempotency-key');
    assert.equal(seen.length - before, 1);

    // Without the header, each POST is its own.
    await (await post(a, '/charges', '{"amount":5}')).text();
    await (await post(b, '/charges', '{"amount":5}')).text();
    assert.equal(seen.length - before, 3);
  });

  test('a repeat while the first is still in flight gets 409; a malformed key 400', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    routes.set('/slow', (req, res) => {
      req.resume();
      void held.then(() => res.writeHead(200).end('done'));
    });
    const first = post(a, '/slow', '{}', 'slow-1');
    await eventually('the first request upstream', () => (seen.some((s) => s.path === '/slow') ? true : undefined));
    const during = await post(b, '/slow', '{}', 'slow-1');
    assert.equal(during.status, 409);
    assert.equal(during.headers.get('retry-after'), '1');
    release();
    assert.equal((await first).status, 200);
    const after = await post(b, '/slow', '{}', 'slow-1');
    assert.equal(after.status, 200);
    assert.equal(await after.text(), 'done');
    assert.equal(seen.filter((s) => s.path === '/slow').length, 1);

    const malformed = await post(a, '/charges', '{}', 'has space');
    assert.equal(malformed.status, 400);
  });

  test('an integration created on one instance is served by the other without its poll', async () => {
    const created = await callApi(a, cookie, '/api/integrations', {
      method: 'POST',
      body: { name: 'Second', slug: 'second', baseUrl: upstreamUrl, authScheme: 'none', policy: PASS_THROUGH_POLICY },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await eventually('instance B to serve the new integration', async () => {
      const answer = await fetch(`${b.url}/api/gw/second/ping`, { headers: { authorization: `Bearer ${token}` } });
      await answer.text();
      return answer.status === 201 ? true : undefined;
    });
  });

  test('a breaker isolated through one instance rejects on the other', async () => {
    const live = await callApi(a, cookie, '/api/integrations/up', {
      method: 'PATCH',
      body: { policy: { ...PASS_THROUGH_POLICY, breaker: { dryRun: false } } },
    });
    assert.equal(live.status, 200, JSON.stringify(live.body));
    await eventually('instance B to take the new policy', async () => {
      const answer = await fetch(`${b.url}/api/gw/up/ping`, { headers: { authorization: `Bearer ${token}` } });
      await answer.text();
      return answer.status === 201 ? true : undefined;
    });
    const isolated = await callApi(a, cookie, '/api/integrations/up/breaker', {
      method: 'POST',
      body: { action: 'isolate' },
    });
    assert.equal(isolated.status, 200, JSON.stringify(isolated.body));
    await eventually('instance B to reject', async () => {
      const answer = await fetch(`${b.url}/api/gw/up/ping`, { headers: { authorization: `Bearer ${token}` } });
      await answer.text();
      return answer.status === 503 ? true : undefined;
    });
    const before = seen.length;
    const rejected = await fetch(`${b.url}/api/gw/up/ping`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(rejected.status, 503);
    assert.equal(seen.length, before, 'the isolated breaker sent nothing upstream');
    const reset = await callApi(a, cookie, '/api/integrations/up/breaker', {
      method: 'POST',
      body: { action: 'reset' },
    });
    assert.equal(reset.status, 200);
    await eventually('instance B to serve again', async () => {
      const answer = await fetch(`${b.url}/api/gw/up/ping`, { headers: { authorization: `Bearer ${token}` } });
      await answer.text();
      return answer.status === 201 ? true : undefined;
    });
  });

  test('each instance shows on /api/metrics that it shares through Redis, not degraded', async () => {
    for (const server of [a, b]) {
      const metrics = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
      const text = await metrics.text();
      assert.match(text, /^breakwater_redis_degraded 0$/m);
      assert.match(text, /^breakwater_redis_fallbacks_total \d+$/m);
    }
  });
});
