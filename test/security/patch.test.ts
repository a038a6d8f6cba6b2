import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type ApiAnswer, type BreakwaterServer, signIn, startBreakwater } from '../support/server';

// Every PATCH route on the production server (SQLite, or PostgreSQL with BREAKWATER_TEST_PROVIDER=postgresql):
// a patch naming one field changes that field and keeps every other stored field, nested ones included.
let database: TestDatabase;
let server: BreakwaterServer;
let cookie: string;

async function api(path: string, method = 'GET', body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      cookie,
      origin: server.url,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Sends the patch, then compares the GET before and after: only the named fields differ. */
async function patchKeepsTheRest(
  path: string,
  key: string,
  patch: Record<string, unknown>,
  expected: (before: Record<string, unknown>) => Record<string, unknown>,
) {
  const before = (await api(path)).body[key];
  const patched = await api(path, 'PATCH', patch);
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const after = (await api(path)).body[key];
  const { updatedAt: _a, ...afterFields } = after;
  const { updatedAt: _b, ...beforeFields } = before;
  assert.deepEqual(afterFields, { ...beforeFields, ...expected(before) }, `PATCH ${path} ${JSON.stringify(patch)}`);
  assert.deepEqual(patched.body[key], after, 'the PATCH answer is what is stored');
}

before(async () => {
  database = await createTestDatabase();
  server = await startBreakwater(database.url, {
    BREAKWATER_SECRET_PATCH_KEY: 'patch-test-key-6f1d',
    BREAKWATER_SECRET_PATCH_WEBHOOK: 'hmac-patch-test-9a2c',
    BREAKWATER_OUTBOUND_ALLOW: '127.0.0.1',
  });
  cookie = await signIn(server);
  const integration = await api('/api/integrations', 'POST', {
    name: 'Payments',
    slug: 'pay',
    baseUrl: 'http://127.0.0.1:9/v1',
    authScheme: 'header',
    authHeader: 'x-pay-key',
    secretEnv: 'BREAKWATER_SECRET_PATCH_KEY',
    bodyCapture: 'headers',
    policy: {
      retry: { maxRetries: 7, initialDelayMs: 250, retryOnStatuses: [503] },
      rateLimit: { perMinute: 600, burst: 20 },
      fallback: { kind: 'static', status: 202, headers: { 'x-fallback': 'yes', 'x-other': '1' } },
      breaker: { window: { kind: 'time', ms: 30_000 } },
    },
  });
  assert.equal(integration.status, 201, JSON.stringify(integration.body));
});

after(async () => {
  await server?.stop();
  await database?.drop();
});

test('integrations: a one-field patch keeps the auth scheme, the capture setting and the whole policy', async () => {
  await patchKeepsTheRest('/api/integrations/pay', 'integration', { name: 'Payments EU' }, () => ({
    name: 'Payments EU',
  }));
  const stored = (await api('/api/integrations/pay')).body.integration;
  assert.equal(stored.authScheme, 'header');
  assert.equal(stored.policy.retry.maxRetries, 7);

  await patchKeepsTheRest(
    '/api/integrations/pay',
    'integration',
    { policy: { retry: { maxRetries: 1 } } },
    (before) => {
      const policy = before.policy as { retry: Record<string, unknown> };
      return { policy: { ...policy, retry: { ...policy.retry, maxRetries: 1 } } };
    },
  );
  // Records and unions are replaced whole: the patch says the whole new value.
  await patchKeepsTheRest(
    '/api/integrations/pay',
    'integration',
    { policy: { fallback: { headers: { 'x-fallback': 'no' } } } },
    (before) => {
      const policy = before.policy as { fallback: Record<string, unknown> };
      return { policy: { ...policy, fallback: { ...policy.fallback, headers: { 'x-fallback': 'no' } } } };
    },
  );
  await patchKeepsTheRest('/api/integrations/pay', 'integration', { bodyCapture: 'none' }, () => ({
    bodyCapture: 'none',
  }));
});

test('integrations: unknown fields at any depth, and a merged whole that is invalid, are refused naming the field', async () => {
  const before = (await api('/api/integrations/pay')).body.integration;
  for (const [patch, field] of [
    [{ nmae: 'x' }, 'nmae'],
    [{ policy: { retry: { maxRetrys: 1 } } }, 'policy.retry.maxRetrys'],
    [{ policy: { retry: { maxRetries: -1 } } }, 'policy.retry.maxRetries'],
    [{ authScheme: 'bearer', secretEnv: null }, 'secretEnv'],
    [{ bodyCapture: 'everything' }, 'bodyCapture'],
  ] as const) {
    const refused = await api('/api/integrations/pay', 'PATCH', patch);
    assert.equal(refused.status, 400, JSON.stringify(patch));
    assert.equal(refused.body.field, field, JSON.stringify(refused.body));
  }
  assert.deepEqual((await api('/api/integrations/pay')).body.integration, before, 'nothing was written');
});

test('webhook sources: a one-field patch keeps forwardPath, tolerance, body limit and the HMAC options', async () => {
  const created = await api('/api/webhook-sources', 'POST', {
    name: 'Signed',
    slug: 'signed',
    integration: 'pay',
    scheme: 'hmac',
    secretEnv: 'BREAKWATER_SECRET_PATCH_WEBHOOK',
    forwardPath: '/hooks/signed',
    toleranceSeconds: 60,
    maxBodyBytes: 2048,
    options: { algorithm: 'sha512', header: 'x-sig', prefix: 'v1=', idHeader: 'x-event-id' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await patchKeepsTheRest('/api/webhook-sources/signed', 'source', { name: 'Signed v2' }, () => ({
    name: 'Signed v2',
  }));
  const stored = (await api('/api/webhook-sources/signed')).body.source;
  assert.equal(stored.forwardPath, '/hooks/signed');
  assert.equal(stored.toleranceSeconds, 60);
  assert.equal(stored.options.algorithm, 'sha512');
  await patchKeepsTheRest('/api/webhook-sources/signed', 'source', { options: { prefix: 'sha512=' } }, (before) => ({
    options: { ...(before.options as object), prefix: 'sha512=' },
  }));
  const refused = await api('/api/webhook-sources/signed', 'PATCH', { options: { algorythm: 'md5' } });
  assert.deepEqual([refused.status, refused.body.field], [400, 'options.algorythm']);
});

test('syncs: a one-field patch keeps every other setting', async () => {
  const created = await api('/api/syncs', 'POST', {
    slug: 'feed',
    integration: 'pay',
    path: '/events',
    mode: 'cursor',
    cursorParam: 'after',
    limitParam: null,
    pageSize: 50,
    itemsField: 'data.items',
    intervalSeconds: 600,
    enabled: false,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await patchKeepsTheRest('/api/syncs/feed', 'sync', { pageSize: 25 }, () => ({ pageSize: 25 }));
  const stored = (await api('/api/syncs/feed')).body.sync;
  assert.deepEqual(
    [stored.mode, stored.cursorParam, stored.limitParam, stored.itemsField, stored.intervalSeconds, stored.enabled],
    ['cursor', 'after', null, 'data.items', 600, false],
  );
});
