import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { getDb } from '@/lib/db';
import { credentialUsage } from '@/lib/queries';
import { getRecorder } from '@/lib/telemetry';
import { migratedDatabase } from '../../test/telemetry/support';
import { createIntegration, forwardCall, type Integration, integrationSchema, updateIntegration } from '.';

// Rotation on real node:http upstreams on 127.0.0.1: a call is sent with the primary credential and a 401
// is resent once with the secondary, whatever the scheme, outside the retry policy, and recorded.
process.env.BREAKWATER_OUTBOUND_ALLOW = '127.0.0.1';
process.env.BREAKWATER_SECRET_ROT_OLD = 'old-key-7f3a';
process.env.BREAKWATER_SECRET_ROT_NEW = 'new-key-91cc';

let database: Awaited<ReturnType<typeof migratedDatabase>>;
let upstream: Server;
let upstreamUrl = '';
/** the credential value the upstream accepts now, and what it saw */
let accepted = new Set<string>();
const seen: { credential: string; body: string }[] = [];

function credentialOf(req: IncomingMessage): string {
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('Bearer ')) return auth.slice(7);
  if (auth.startsWith('Basic ')) return Buffer.from(auth.slice(6), 'base64').toString();
  return String(req.headers['x-api-key'] ?? '');
}

before(async () => {
  database = await migratedDatabase();
  process.env.DATABASE_URL = database.url;
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk;
    });
    req.on('end', () => {
      const credential = credentialOf(req);
      seen.push({ credential, body });
      res.writeHead(accepted.has(credential) ? 200 : 401, { 'content-type': 'text/plain' });
      res.end(accepted.has(credential) ? `ok ${body}` : 'unauthorized');
    });
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

after(async () => {
  await getRecorder().stop();
  await getDb().$disconnect();
  upstream.closeAllConnections();
  upstream.close();
  await database.drop();
});

const POLICY = { cache: { enabled: false }, retry: { maxRetries: 0 }, rateLimit: { enabled: false } };

async function integrationWith(slug: string, auth: Record<string, unknown>): Promise<Integration> {
  return createIntegration(
    getDb(),
    'default',
    integrationSchema.parse({ name: slug, slug, baseUrl: upstreamUrl, policy: POLICY, ...auth }),
  );
}

function call(integration: Integration, method = 'GET', body?: string) {
  return forwardCall(integration, {
    method,
    segments: ['v1', 'things'],
    search: '',
    headers: {},
    body: body === undefined ? undefined : Buffer.from(body),
    requestId: crypto.randomUUID(),
  });
}

for (const [scheme, auth] of [
  ['bearer', { authScheme: 'bearer' }],
  ['basic', { authScheme: 'basic' }],
  ['header', { authScheme: 'header', authHeader: 'X-Api-Key' }],
] as const) {
  test(`${scheme}: the primary serves; a 401 is resent once with the secondary; a second 401 is the answer`, async () => {
    const integration = await integrationWith(`rot-${scheme}`, {
      ...auth,
      secretEnv: 'BREAKWATER_SECRET_ROT_OLD',
      secondarySecretEnv: 'BREAKWATER_SECRET_ROT_NEW',
    });
    seen.length = 0;
    accepted = new Set(['old-key-7f3a']);
    const primary = await call(integration);
    assert.equal(primary.status, 200);
    assert.equal(primary.attempts.length, 1);
    assert.deepEqual(
      seen.map((s) => s.credential),
      ['old-key-7f3a'],
    );

    // The upstream moved to the new key: one 401, one resend (retries are off: it is not a retry).
    seen.length = 0;
    accepted = new Set(['new-key-91cc']);
    const rotated = await call(integration, 'POST', '{"amount":5}');
    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.toString(), 'ok {"amount":5}', 'the body is sent again intact');
    assert.deepEqual(
      rotated.attempts.map((a) => a.status),
      [401, 200],
    );
    assert.deepEqual(
      seen.map((s) => s.credential),
      ['old-key-7f3a', 'new-key-91cc'],
    );

    // Neither key works: exactly two requests, and the 401 is the answer.
    seen.length = 0;
    accepted = new Set();
    const refused = await call(integration);
    assert.equal(refused.status, 401);
    assert.equal(seen.length, 2);
  });
}

test('without a secondary a 401 is answered as it is, sent once', async () => {
  const integration = await integrationWith('rot-single', {
    authScheme: 'bearer',
    secretEnv: 'BREAKWATER_SECRET_ROT_OLD',
  });
  seen.length = 0;
  accepted = new Set(['new-key-91cc']);
  const answer = await call(integration);
  assert.equal(answer.status, 401);
  assert.equal(seen.length, 1);
});

test('every call is recorded with the credential that served it; usage per credential is exact', async () => {
  const integration = await integrationWith('rot-usage', {
    authScheme: 'bearer',
    secretEnv: 'BREAKWATER_SECRET_ROT_OLD',
    secondarySecretEnv: 'BREAKWATER_SECRET_ROT_NEW',
  });
  accepted = new Set(['old-key-7f3a']);
  for (let i = 0; i < 7; i++) assert.equal((await call(integration)).status, 200);
  accepted = new Set(['new-key-91cc']);
  for (let i = 0; i < 3; i++) assert.equal((await call(integration)).status, 200);
  await getRecorder().flush();
  const db = getDb();
  const usage = await credentialUsage(db, integration.id, true);
  assert.equal(usage.primary, 7);
  assert.equal(usage.secondary, 3);
  const secondaryRows = await db.callLog.findMany({
    where: { integrationId: integration.id, credential: 'secondary' },
    orderBy: { startedAt: 'desc' },
  });
  assert.equal(secondaryRows.length, 3, 'every call the secondary served is kept');
  assert.deepEqual(usage.lastSecondaryAt, secondaryRows[0].startedAt);
  const primaryRows = await db.callLog.count({ where: { integrationId: integration.id, credential: 'primary' } });
  assert.ok(primaryRows >= 1, 'sampled primary calls are labelled primary');
  const stored = JSON.stringify(await db.callLog.findMany({ where: { integrationId: integration.id } }));
  assert.ok(!stored.includes('old-key-7f3a') && !stored.includes('new-key-91cc'), 'no key in the call log');

  // Rotation done: the new key is the primary, the secondary is gone.
  const done = await updateIntegration(db, 'default', 'rot-usage', {
    secretEnv: 'BREAKWATER_SECRET_ROT_NEW',
    secondarySecretEnv: null,
  });
  assert.ok(done?.ok);
  seen.length = 0;
  assert.equal((await call(done.integration)).status, 200);
  assert.deepEqual(
    seen.map((s) => s.credential),
    ['new-key-91cc'],
  );
});

test('a secondary is validated as the primary: exposed, distinct, and only with an auth scheme', () => {
  const base = { name: 'x', slug: 'x', baseUrl: 'https://api.example.com' };
  const issues = (input: Record<string, unknown>) =>
    integrationSchema.safeParse({ ...base, ...input }).error?.issues.map((i) => [i.path.join('.'), i.message]);
  assert.equal(
    issues({
      authScheme: 'bearer',
      secretEnv: 'BREAKWATER_SECRET_ROT_OLD',
      secondarySecretEnv: 'DATABASE_URL',
    })?.[0][0],
    'secondarySecretEnv',
  );
  assert.deepEqual(
    issues({
      authScheme: 'bearer',
      secretEnv: 'BREAKWATER_SECRET_ROT_OLD',
      secondarySecretEnv: 'BREAKWATER_SECRET_ROT_OLD',
    }),
    [['secondarySecretEnv', 'must differ from secretEnv']],
  );
  assert.deepEqual(issues({ secondarySecretEnv: 'BREAKWATER_SECRET_ROT_NEW' }), [
    ['secondarySecretEnv', 'needs an auth scheme'],
  ]);
  assert.deepEqual(issues({ sandbox: { baseUrl: 'https://sandbox.example.com', authScheme: 'bearer' } }), [
    ['sandbox.secretEnv', 'is required for auth scheme "bearer"'],
  ]);
});
