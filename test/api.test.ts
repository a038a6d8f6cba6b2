import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { type DemoUpstream, startDemoUpstream } from '@/demo/upstream';
import { createDb, type Db } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from './support/database';
import { type BreakwaterServer, signIn, startBreakwater } from './support/server';

// The production server on a database of its own (SQLite by default, PostgreSQL with
// BREAKWATER_TEST_PROVIDER=postgresql), in front of the fault-injecting demo upstream.
const SECRET = 'sk_test_do_not_leak_4f7c2a9b';
let database: TestDatabase;
let server: BreakwaterServer;
let upstream: DemoUpstream;
let db: Db;
let cookie: string;
let token: string;

async function api(path: string, init: RequestInit & { auth?: 'cookie' | 'token' | 'none' } = {}) {
  const headers = new Headers(init.headers);
  if ((init.auth ?? 'cookie') === 'cookie') {
    headers.set('cookie', cookie);
    headers.set('origin', server.url);
  }
  if (init.auth === 'token') headers.set('authorization', `Bearer ${token}`);
  if (typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return fetch(`${server.url}${path}`, { ...init, headers, redirect: 'manual' });
}

/** A gateway GET whose path is sent exactly as written (fetch would resolve dot segments itself). */
async function rawGet(path: string) {
  const client = new Client(server.url);
  try {
    const response = await client.request({ method: 'GET', path, headers: { authorization: `Bearer ${token}` } });
    const text = await response.body.text();
    const json = response.headers['content-type']?.toString().includes('json')
      ? (JSON.parse(text) as { field?: string })
      : {};
    return { statusCode: response.statusCode, body: json };
  } finally {
    await client.close();
  }
}

async function upstreamControl(path: string, init?: RequestInit) {
  const response = await fetch(`${upstream.url}/__control/${path}`, init);
  return response.json();
}

before(async () => {
  database = await createTestDatabase();
  upstream = await startDemoUpstream({ eventsPerSec: 0 });
  server = await startBreakwater(database.url, {
    BREAKWATER_SECRET_TEST_UPSTREAM_KEY: SECRET,
    BREAKWATER_MAX_BODY_BYTES: '2048',
  });
  db = createDb(database.url);
  cookie = await signIn(server);
  const created = await api('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'api test' }) });
  token = (await created.json()).token;
  const integration = await api('/api/integrations', {
    method: 'POST',
    body: JSON.stringify({
      name: 'Demo payments',
      slug: 'demo',
      baseUrl: `${upstream.url}/demo`,
      authScheme: 'bearer',
      secretEnv: 'BREAKWATER_SECRET_TEST_UPSTREAM_KEY',
      policy: { retry: { maxRetries: 2, initialDelayMs: 5, maxDelayMs: 20 }, cache: { enabled: false } },
    }),
  });
  assert.equal(integration.status, 201, await integration.clone().text());
});

after(async () => {
  await db?.$disconnect();
  await server?.stop();
  await upstream?.close();
  await database?.drop();
});

describe('health and authentication', () => {
  test('health is public and names the applied migration', async () => {
    const response = await api('/api/health', { auth: 'none' });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.database.reachable, true);
    assert.equal(body.database.provider, database.provider);
    const folders = readdirSync(join(import.meta.dirname, '..', 'prisma', 'migrations')).filter((name) =>
      /^\d+_/.test(name),
    );
    assert.equal(body.database.migration, folders.sort().at(-1));
  });

  test('every non-public API route answers 401 JSON without credentials and with a forged session', async () => {
    const apiDir = join(import.meta.dirname, '..', 'app', 'api');
    const routes: { path: string; methods: string[] }[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name === 'route.ts') {
          const source = readFileSync(full, 'utf8');
          const methods = [...source.matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map(
            (m) => m[1],
          );
          const path = `/api/${relative(apiDir, dir)}`.replace(/\[\.\.\.[^\]]+\]/g, 'a/b').replace(/\[[^\]]+\]/g, 'x');
          routes.push({ path, methods });
        }
      }
    };
    walk(apiDir);
    const guarded = routes.filter(
      (r) =>
        // An invitation link is its own credential (a one-time secret in the path).
        !['/api/health', '/api/auth/login', '/api/invites/x'].includes(r.path) &&
        !r.path.startsWith('/api/gw/') &&
        !r.path.startsWith('/api/webhooks/'),
    );
    assert.ok(guarded.length >= 6, `found only ${guarded.map((r) => r.path)}`);
    for (const route of guarded) {
      for (const method of route.methods) {
        const forged: Record<string, string>[] = [
          {},
          { cookie: 'bw_session=forged' },
          { authorization: 'Bearer bw_forged' },
        ];
        for (const credentials of forged) {
          const response = await fetch(`${server.url}${route.path}`, {
            method,
            headers: credentials,
            redirect: 'manual',
          });
          assert.equal(response.status, 401, `${method} ${route.path} with ${JSON.stringify(credentials)}`);
          assert.match((await response.json()).error, /authentication required/);
        }
      }
    }
  });

  test('pages redirect to sign-in without a session', async () => {
    const response = await api('/tokens', { auth: 'none' });
    assert.equal(response.status, 307);
    assert.equal(new URL(response.headers.get('location')!, server.url).pathname, '/login');
  });

  test('sign-in: a wrong password gets 401, bad input 400 naming the field, success an httpOnly SameSite=Lax cookie', async () => {
    const login = (body: string) => api('/api/auth/login', { method: 'POST', body, auth: 'none' });
    const wrong = await login(JSON.stringify({ username: 'admin', password: 'nope' }));
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json()).error, 'wrong username or password');
    const malformed = await login('{"username": "admin",');
    assert.equal(malformed.status, 400);
    assert.equal((await malformed.json()).field, '(body)');
    const missing = await login(JSON.stringify({ username: 'admin' }));
    assert.equal(missing.status, 400);
    assert.equal((await missing.json()).field, 'password');
    const response = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'test-admin-password-123' }),
    });
    const setCookie = response.headers.get('set-cookie')!;
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.doesNotMatch(setCookie, /Secure/, 'plain http on loopback: no Secure flag');
  });
});

describe('integrations API', () => {
  test('bad input gets 400 naming the field and saves nothing', async () => {
    const before = await db.integration.count();
    const cases: [string, string][] = [
      ['{"name": "x", ', '(body)'],
      [JSON.stringify({ name: 'X', slug: 'x', baseUrl: 'ftp://example.com' }), 'baseUrl'],
      [JSON.stringify({ name: 'X', slug: 'x', baseUrl: 'https://user:pw@example.com' }), 'baseUrl'],
      [JSON.stringify({ name: 'X', slug: 'Bad Slug', baseUrl: 'https://example.com' }), 'slug'],
      [JSON.stringify({ name: 'X', slug: 'x', baseUrl: 'https://example.com', authScheme: 'bearer' }), 'secretEnv'],
      [
        JSON.stringify({ name: 'X', slug: 'x', baseUrl: 'https://example.com', policy: { retry: { maxRetries: -1 } } }),
        'policy.retry.maxRetries',
      ],
      [
        JSON.stringify({
          name: 'X',
          slug: 'x',
          baseUrl: 'https://example.com',
          policy: { timeout: { overallMs: 5000 } },
        }),
        'policy.timeout.attemptMs',
      ],
      [
        JSON.stringify({
          name: 'X',
          slug: 'x',
          baseUrl: 'https://example.com',
          policy: { retry: { initialDelayMs: 6000 } },
        }),
        'policy.retry.initialDelayMs',
      ],
      [
        JSON.stringify({
          name: 'X',
          slug: 'x',
          baseUrl: 'https://example.com',
          policy: { bulkhead: { maxQueue: 1e6 } },
        }),
        'policy.bulkhead.maxQueue',
      ],
    ];
    for (const [body, field] of cases) {
      const response = await api('/api/integrations', { method: 'POST', body });
      assert.equal(response.status, 400, body);
      assert.equal((await response.json()).field, field, body);
    }
    const duplicate = await api('/api/integrations', {
      method: 'POST',
      body: JSON.stringify({ name: 'Again', slug: 'demo', baseUrl: 'https://example.com' }),
    });
    assert.equal(duplicate.status, 409);
    assert.equal((await duplicate.json()).field, 'slug');
    assert.equal(await db.integration.count(), before);
  });

  test('the API shows which variable holds the secret and whether it is set, never its value', async () => {
    const response = await api('/api/integrations/demo');
    const text = await response.text();
    assert.equal(JSON.parse(text).integration.secretEnv, 'BREAKWATER_SECRET_TEST_UPSTREAM_KEY');
    assert.equal(JSON.parse(text).integration.secretConfigured, true);
    assert.ok(!text.includes(SECRET));
  });
});

describe('gateway', () => {
  test('refuses missing, invalid and revoked tokens with 401, and a session cookie is not a token', async () => {
    assert.equal((await api('/api/gw/demo/v1/ping', { auth: 'none' })).status, 401);
    assert.equal(
      (await api('/api/gw/demo/v1/ping', { auth: 'none', headers: { authorization: 'Bearer bw_wrong' } })).status,
      401,
    );
    assert.equal((await api('/api/gw/demo/v1/ping', { auth: 'cookie' })).status, 401);
    const created = await (
      await api('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'short-lived' }) })
    ).json();
    const call = () =>
      api('/api/gw/demo/v1/ping', { auth: 'none', headers: { authorization: `Bearer ${created.token}` } });
    assert.equal((await call()).status, 200);
    assert.equal((await api(`/api/tokens/${created.id}`, { method: 'DELETE' })).status, 204);
    const revoked = await call();
    assert.equal(revoked.status, 401);
    assert.match((await revoked.json()).error, /authentication required/);
  });

  test('an unknown integration gets 404', async () => {
    const response = await api('/api/gw/nope/v1/ping', { auth: 'token' });
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error, 'integration "nope" not found');
  });

  test('traversal leaves the gateway, encoded separators and absolute URLs get 400, and none reaches the upstream', async () => {
    const before = (await upstreamControl('stats')).total;
    // Dot segments, literal or percent-encoded, are resolved by the server before routing (as WHATWG URL
    // parsing does), so climbing out of the integration leaves the gateway route: 404, no upstream.
    for (const path of ['../../etc/passwd', '%2e%2e/%2e%2e/etc/passwd', 'v1/%2E%2e/../../x']) {
      const response = await rawGet(`/api/gw/demo/${path}`);
      assert.equal(response.statusCode, 404, path);
    }
    const paths = [
      'a%2Fb',
      '%2F%2Fevil.example/x',
      'a%5Cb',
      'http:/%2F%2Fevil.example/x',
      'https:/evil.example',
      'https:',
    ];
    for (const path of paths) {
      const response = await rawGet(`/api/gw/demo/${path}`);
      assert.equal(response.statusCode, 400, path);
      assert.equal(response.body.field, 'path', path);
    }
    assert.equal((await upstreamControl('stats')).total, before);
  });

  test('forwards with the integration key and a request id, and never forwards the caller’s own credentials', async () => {
    const response = await api('/api/gw/demo/v1/charges/42?expand=customer', {
      auth: 'token',
      headers: { cookie, 'x-custom': 'kept' },
    });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.path, '/demo/v1/charges/42');
    assert.equal(body.query.expand, 'customer');
    const requestId = response.headers.get('x-request-id');
    assert.match(requestId ?? '', /^[0-9a-f-]{36}$/);
    const seen = await upstreamControl('last-request');
    assert.equal(seen.headers.authorization, `Bearer ${SECRET}`);
    assert.equal(seen.headers['x-request-id'], requestId);
    assert.equal(seen.headers['x-custom'], 'kept');
    assert.equal(seen.headers.cookie, undefined);
    assert.ok(!JSON.stringify(seen.headers).includes(token));
  });

  test('request and response bodies are kept in the call log, capped, with the key scrubbed out', async () => {
    await upstreamControl('faults', {
      // 422: the caller's mistake, so neither retried nor counted by the breaker that later tests rely on.
      method: 'PUT',
      body: JSON.stringify({ route: '/demo/v1/refunds', mode: 'fail', failStatus: 422 }),
    });
    const payload = JSON.stringify({ amount: 100, note: `echo of ${SECRET}`, pad: 'x'.repeat(1000) });
    const response = await api('/api/gw/demo/v1/refunds', {
      method: 'POST',
      auth: 'token',
      body: payload.slice(0, 2000),
    });
    assert.equal(response.status, 422);
    const id = response.headers.get('x-request-id')!;
    let call = null;
    for (let i = 0; i < 50 && !call; i++) {
      call = await db.callLog.findUnique({ where: { id } });
      if (!call) await sleep(100);
    }
    assert.ok(
      call?.requestBody?.startsWith('{"amount":100,"note":"echo of [redacted]"'),
      call?.requestBody ?? 'no body',
    );
    assert.ok(call?.responseBody);
    await upstreamControl('faults', { method: 'DELETE' });
  });

  test('malformed and oversized bodies are refused before anything is sent', async () => {
    const before = (await upstreamControl('stats')).total;
    const response = await api('/api/gw/demo/v1/charges', { method: 'POST', auth: 'token', body: 'x'.repeat(4096) });
    assert.equal(response.status, 413);
    assert.equal((await response.json()).field, '(body)');
    assert.equal((await upstreamControl('stats')).total, before);
  });

  test('a failing upstream is retried, and the failure is recorded with its attempts', async () => {
    await upstreamControl('faults', {
      method: 'PUT',
      body: JSON.stringify({ route: '/demo/v1/flaky', mode: 'fail', failStatus: 503 }),
    });
    const response = await api('/api/gw/demo/v1/flaky', { auth: 'token' });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('x-breakwater-attempts'), '3');
    const requestId = response.headers.get('x-request-id')!;
    let call = null;
    for (let i = 0; i < 50 && !call; i++) {
      call = await db.callLog.findUnique({
        where: { id: requestId },
        include: { attempts: { orderBy: { number: 'asc' } } },
      });
      if (!call) await sleep(100);
    }
    assert.ok(call, 'the failed call reached the call log');
    assert.equal(call.status, 503);
    assert.equal(call.outcome, 'server_error');
    assert.deepEqual(
      call.attempts.map((a) => a.status),
      [503, 503, 503],
    );
    assert.equal(JSON.parse(call.requestHeaders).authorization, '[redacted]');
    assert.ok(call.responseBody, 'the upstream error body is kept for the explorer');
    await upstreamControl('faults', { method: 'DELETE' });
  });

  test('the overview counts exactly the calls made, read back from the stored rollups', async () => {
    const summary = async () => {
      const body = await (await api('/api/overview?window=1h')).json();
      return body.integrations.find((i: { slug: string }) => i.slug === 'demo');
    };
    const stored = async () =>
      (await db.metricRollup.aggregate({ where: { bucketSeconds: 60 }, _sum: { count: true } }))._sum.count ?? 0;
    await sleep(300);
    const before = await summary();
    assert.equal(before.requests, await stored());
    for (let i = 0; i < 7; i++) assert.equal((await api(`/api/gw/demo/v1/items/${i}`, { auth: 'token' })).status, 200);
    let now = before;
    for (let i = 0; i < 50 && now.requests !== before.requests + 7; i++) {
      await sleep(100);
      now = await summary();
    }
    assert.equal(now.requests, before.requests + 7);
    assert.equal(now.requests, await stored());
    assert.ok(now.p95Ms > 0);
    const bad = await api('/api/overview?window=3y');
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).field, 'window');
  });

  test('the integration key appears nowhere in the database or the logs', async () => {
    await sleep(300);
    const tables = [
      db.callLog,
      db.callAttempt,
      db.metricRollup,
      db.integration,
      db.apiToken,
      db.session,
      db.user,
    ] as unknown as {
      findMany(): Promise<unknown[]>;
    }[];
    for (const table of tables) assert.ok(!JSON.stringify(await table.findMany()).includes(SECRET));
    assert.ok(!server.output().includes(SECRET));
    assert.ok(!server.output().includes(token));
  });
});
