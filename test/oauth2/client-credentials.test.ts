import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { getDb, sqlitePath } from '@/lib/db';
import {
  createIntegration,
  forwardCall,
  gatewayErrorAnswer,
  type Integration,
  integrationSchema,
  oauth2Tokens,
  switchEnvironment,
  TOKEN_ROUTE,
} from '@/lib/integrations';
import { getRecorder } from '@/lib/telemetry';
import { freePort } from '../support/ports';
import { migratedDatabase } from '../telemetry/support';
import {
  type AuthorizationServer,
  type ProtectedUpstream,
  RESOURCE,
  SCOPE,
  signingKeyPair,
  startAuthorizationServer,
  startProtectedUpstream,
} from './support';

// OAuth2 client credentials against a real authorization server (oidc-provider on 127.0.0.1) and an upstream
// that accepts only tokens that server vouches for: calls go through forwardCall, the gateway's own path.
process.env.BREAKWATER_OUTBOUND_ALLOW = '127.0.0.1';
const tag = randomBytes(4).toString('hex');
// Characters that make every encoding differ from the raw value.
const CLIENT_SECRET = `cs/Pl4nted+Secret=${tag}`;
const keys = { ES256: signingKeyPair('ES256'), RS256: signingKeyPair('RS256'), EdDSA: signingKeyPair('EdDSA') };
process.env.BREAKWATER_SECRET_OAUTH_CLIENT = CLIENT_SECRET;
process.env.BREAKWATER_SECRET_OAUTH_KEY = keys.ES256.privatePem;
process.env.BREAKWATER_SECRET_OAUTH_KEY_RS = keys.RS256.privatePem;
// an Ed25519 key as a JWK text, the other spelling an operator may use
process.env.BREAKWATER_SECRET_OAUTH_KEY_ED = keys.EdDSA.privateJwk;

let database: Awaited<ReturnType<typeof migratedDatabase>>;
let authServer: AuthorizationServer;
let upstream: ProtectedUpstream;
let requestCount = 0;

before(async () => {
  database = await migratedDatabase();
  process.env.DATABASE_URL = database.url;
  authServer = await startAuthorizationServer({
    secret: CLIENT_SECRET,
    signingKeys: Object.values(keys),
    ttlSeconds: 300,
  });
  upstream = await startProtectedUpstream((token) => authServer.validate(token));
});

after(async () => {
  await getRecorder().stop();
  await getDb().$disconnect();
  await upstream.close();
  await authServer.close();
  await database.drop();
});

async function oauthIntegration(slug: string, oauth2: Record<string, unknown>, tokenUrl = authServer.tokenUrl) {
  return createIntegration(
    getDb(),
    'default',
    integrationSchema.parse({
      name: slug,
      slug,
      baseUrl: upstream.url,
      authScheme: 'oauth2',
      oauth2: { tokenUrl, scopes: [SCOPE], ...oauth2 },
      policy: {
        retry: { maxRetries: 0 },
        rateLimit: { enabled: false },
        bulkhead: { maxConcurrent: 100 },
        cache: { enabled: false },
      },
    }),
  );
}

function call(integration: Integration, path = '/orders') {
  requestCount += 1;
  const [, ...segments] = path.split('/');
  return forwardCall(integration, {
    method: 'GET',
    segments,
    search: '',
    headers: {},
    requestId: `oauth2-${tag}-${requestCount}`,
  });
}

const grants = (clientId: string) => authServer.grants.get(clientId) ?? 0;

test('50 concurrent calls fetch one token (client_secret_basic) and all pass', async () => {
  const integration = await oauthIntegration('basic', {
    clientId: 'basic-client',
    clientSecretEnv: 'BREAKWATER_SECRET_OAUTH_CLIENT',
  });
  const answers = await Promise.all(Array.from({ length: 50 }, () => call(integration)));
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
  assert.equal(grants('basic-client'), 1, 'one token request for 50 callers');
  assert.equal(upstream.requests.length, 50, 'every call reached the upstream');
  assert.equal(new Set(upstream.requests.map((r) => r.token)).size, 1, 'all with the one token');
});

test('the token is refreshed ahead of its expiry (fake clock), not before', async () => {
  const integration = await oauthIntegration('refresh', {
    clientId: 'basic-client',
    clientSecretEnv: 'BREAKWATER_SECRET_OAUTH_CLIENT',
    refreshSkewSeconds: 60,
  });
  const cache = oauth2Tokens();
  let now = Date.now();
  cache.now = () => now;
  try {
    const before = grants('basic-client');
    assert.equal((await call(integration)).status, 200);
    assert.equal(grants('basic-client'), before + 1);
    now += (300 - 60 - 1) * 1000; // one second before the skew: still the same token
    assert.equal((await call(integration)).status, 200);
    assert.equal(grants('basic-client'), before + 1);
    now += 2000; // inside the skew: a new token, though the old one has not expired yet
    assert.equal((await call(integration)).status, 200);
    assert.equal(grants('basic-client'), before + 2);
    const used = upstream.requests.slice(-3).map((r) => r.token);
    assert.equal(used[0], used[1]);
    assert.notEqual(used[1], used[2]);
  } finally {
    cache.now = Date.now;
  }
});

test('a 401 triggers exactly one new token and one resend; a second 401 is a typed 502', async () => {
  const integration = await oauthIntegration('revoked', {
    clientId: 'post-client',
    clientSecretEnv: 'BREAKWATER_SECRET_OAUTH_CLIENT',
    clientAuth: 'client_secret_post',
    resource: RESOURCE,
  });
  assert.equal((await call(integration)).status, 200);
  assert.equal(grants('post-client'), 1, 'client_secret_post with a resource indicator is accepted');
  await authServer.revokeAll();
  const seen = upstream.requests.length;
  // Ten calls refused with the same revoked token share one new token.
  const answers = await Promise.all(Array.from({ length: 10 }, () => call(integration)));
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
  assert.equal(grants('post-client'), 2, 'one new token');
  const after = upstream.requests.slice(seen);
  assert.equal(after.filter((r) => !r.ok).length, 10, 'each call refused once');
  assert.equal(after.filter((r) => r.ok).length, 10, 'and resent once');

  // An upstream that refuses every token: one resend, then the typed error, with a clear gateway answer.
  const validate = authServer.validate;
  authServer.validate = async () => false;
  const count = upstream.requests.length;
  const error = await call(integration).then(
    () => assert.fail('a second 401 is an error'),
    (caught: unknown) => caught,
  );
  assert.equal(upstream.requests.length - count, 2, 'sent once and resent once');
  assert.equal((error as { code?: string }).code, 'oauth2_rejected');
  const answer = gatewayErrorAnswer(error, 'req-1');
  assert.equal(answer.status, 502);
  assert.match(answer.body.error, /refused the OAuth2 access token/);
  authServer.validate = validate;
  assert.equal(grants('post-client'), 3, 'the refused call asked for one new token, no more');
});

test('private_key_jwt is accepted by the server: ES256 and RS256 PEM keys, an EdDSA JWK', async () => {
  const cases = [
    ['ES256', 'BREAKWATER_SECRET_OAUTH_KEY'],
    ['RS256', 'BREAKWATER_SECRET_OAUTH_KEY_RS'],
    ['EdDSA', 'BREAKWATER_SECRET_OAUTH_KEY_ED'],
  ] as const;
  for (const [alg, privateKeyEnv] of cases) {
    const clientId = `jwt-${alg.toLowerCase()}`;
    const integration = await oauthIntegration(`signed-${alg.toLowerCase()}`, {
      clientId,
      clientAuth: 'private_key_jwt',
      privateKeyEnv,
      keyAlgorithm: alg,
    });
    assert.equal((await call(integration)).status, 200, alg);
    assert.equal(grants(clientId), 1, alg);
  }
});

test('rotating the client secret: with the old one refused, the secondary gets the token and no call fails', async () => {
  // The provider has already switched to the new secret; the integration still names the old one as its
  // primary and the new one as its secondary (step 2 of a rotation).
  process.env.BREAKWATER_SECRET_OAUTH_OLD = `revoked-${tag}`;
  const integration = await createIntegration(
    getDb(),
    'default',
    integrationSchema.parse({
      name: 'rotating',
      slug: 'rotating',
      baseUrl: upstream.url,
      authScheme: 'oauth2',
      oauth2: {
        tokenUrl: authServer.tokenUrl,
        scopes: [SCOPE],
        clientId: 'basic-client',
        clientSecretEnv: 'BREAKWATER_SECRET_OAUTH_OLD',
      },
      secondarySecretEnv: 'BREAKWATER_SECRET_OAUTH_CLIENT',
      policy: { retry: { maxRetries: 0 }, rateLimit: { enabled: false }, cache: { enabled: false } },
    }),
  );
  const granted = grants('basic-client');
  const answers = await Promise.all(Array.from({ length: 10 }, () => call(integration)));
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
  assert.equal(grants('basic-client'), granted + 1, 'one token, got with the secondary, for the ten calls');
  await getRecorder().flush();
  const rows = await getDb().callLog.findMany({
    where: { integrationId: integration.id, route: { not: TOKEN_ROUTE } },
    select: { credential: true },
  });
  assert.equal(rows.length, 10, 'every call the secondary served is kept, so the operator sees it');
  const tokenCalls = await getDb().callLog.findMany({
    where: { integrationId: integration.id, route: TOKEN_ROUTE },
    select: { status: true },
  });
  assert.deepEqual(
    tokenCalls.map((c) => c.status).sort(),
    [200, 401],
    'the token endpoint refused the old secret once, then issued with the new one',
  );
  assert.deepEqual(new Set(rows.map((r) => r.credential)), new Set(['secondary']));
});

test('a wrong client secret is a typed error naming the token endpoint, not the secret', async () => {
  process.env.BREAKWATER_SECRET_OAUTH_WRONG = `wrong-${tag}`;
  const integration = await oauthIntegration('wrong', {
    clientId: 'basic-client',
    clientSecretEnv: 'BREAKWATER_SECRET_OAUTH_WRONG',
  });
  const error = await call(integration).then(
    () => assert.fail('no token, no call'),
    (caught: unknown) => caught,
  );
  assert.equal((error as { code?: string }).code, 'oauth2_token');
  assert.equal((error as { reason?: string }).reason, 'invalid_client');
  const answer = gatewayErrorAnswer(error, 'req-2');
  assert.equal(answer.status, 502);
  assert.equal(answer.body.field, 'oauth2.tokenUrl');
  assert.ok(!JSON.stringify(answer).includes(`wrong-${tag}`));
});

test('a private key secret that holds no key of the algorithm is a typed error naming the variable', async () => {
  process.env.BREAKWATER_SECRET_OAUTH_NOT_A_KEY = `not-a-key-${tag}`;
  for (const [slug, privateKeyEnv, keyAlgorithm] of [
    ['garbled', 'BREAKWATER_SECRET_OAUTH_NOT_A_KEY', 'RS256'],
    ['mismatched', 'BREAKWATER_SECRET_OAUTH_KEY', 'RS256'], // an ES256 key
  ]) {
    const integration = await oauthIntegration(slug, {
      clientId: 'jwt-rs256',
      clientAuth: 'private_key_jwt',
      privateKeyEnv,
      keyAlgorithm,
    });
    const error = await call(integration).then(
      () => assert.fail('no key, no token'),
      (caught: unknown) => caught,
    );
    assert.equal((error as { reason?: string }).reason, 'bad_private_key', slug);
    assert.match((error as Error).message, new RegExp(`the secret ${privateKeyEnv} is not a RS256 private key`));
    assert.ok(!(error as Error).message.includes(tag));
  }
});

test('the token endpoint down: a typed error, then its own breaker opens, recorded under the integration', async () => {
  const deadUrl = `http://127.0.0.1:${await freePort()}/token`;
  const integration = await oauthIntegration(
    'down',
    { clientId: 'basic-client', clientSecretEnv: 'BREAKWATER_SECRET_OAUTH_CLIENT' },
    deadUrl,
  );
  const reasons: string[] = [];
  for (let i = 0; i < 4; i++) {
    const error = await call(integration).then(
      () => assert.fail('no token endpoint, no call'),
      (caught: unknown) => caught,
    );
    assert.equal((error as { code?: string }).code, 'oauth2_token');
    reasons.push((error as { reason: string }).reason);
    if (reasons.at(-1) === 'circuit_open') break;
  }
  assert.equal(reasons[0], 'network');
  assert.equal(reasons.at(-1), 'circuit_open', `the breaker opened: ${reasons.join(', ')}`);
  const open = gatewayErrorAnswer(await call(integration).catch((caught: unknown) => caught), 'req-3');
  assert.equal(open.status, 503);
  assert.equal(upstream.requests.filter((r) => r.path.startsWith('/down')).length, 0, 'nothing sent upstream');

  await getRecorder().flush();
  const db = getDb();
  const transitions = await db.breakerEvent.findMany({ where: { integrationId: integration.id } });
  assert.ok(
    transitions.some((event) => event.toState === 'open'),
    'an open transition is stored for the integration',
  );
  const rollups = await db.metricRollup.findMany({ where: { integrationId: integration.id, route: TOKEN_ROUTE } });
  assert.ok(rollups.length > 0, 'the token endpoint calls are in the rollups under route oauth2:token');
  const tokenCall = await db.callLog.findFirstOrThrow({ where: { integrationId: integration.id, route: TOKEN_ROUTE } });
  const { replayCall, replayInputSchema } = await import('@/lib/jobs');
  await assert.rejects(
    replayCall(db, 'default', tokenCall.id, replayInputSchema.parse({})),
    (error: Error & { status?: number }) => {
      assert.equal(error.status, 409);
      assert.match(error.message, /OAuth2 token request is not replayed/);
      return true;
    },
  );
});

test('an OAuth2 client secret cannot also verify an inbound webhook source', async () => {
  const { assertSecretRole } = await import('@/lib/secret-roles');
  await assert.rejects(
    assertSecretRole(getDb(), 'verification', [{ field: 'secretEnv', name: 'BREAKWATER_SECRET_OAUTH_CLIENT' }]),
    /integration "basic"/,
  );
  await assert.rejects(
    assertSecretRole(getDb(), 'verification', [{ field: 'secretEnv', name: 'BREAKWATER_SECRET_OAUTH_KEY' }]),
    /integration "signed-es256"/,
  );
});

function encodings(value: string): string[] {
  const bytes = Buffer.from(value);
  const url = encodeURIComponent(value);
  return [
    value,
    bytes.toString('base64'),
    bytes.toString('base64url').replace(/=+$/, ''),
    url,
    url.replace(/%20/g, '+'),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    JSON.stringify(value).slice(1, -1),
    Buffer.from(`Bearer ${value}`).toString('base64'),
  ];
}

test('after a run the database holds no access token nor client secret, in any encoding', async () => {
  const integration = await oauthIntegration('echo', {
    clientId: 'basic-client',
    clientSecretEnv: 'BREAKWATER_SECRET_OAUTH_CLIENT',
  });
  // Failed calls are always kept, with their (redacted) bodies; the upstream echoes the token in them.
  assert.equal((await call(integration, '/echo-fail')).status, 500);
  assert.equal((await call(integration, '/echo')).status, 200);
  await getRecorder().flush();
  const kept = await getDb().callLog.findMany({ where: { integrationId: integration.id, status: 500 } });
  assert.equal(kept.length, 1, 'the failed call is in the call log');
  assert.match(kept[0].responseBody ?? '', /"seen":"\[redacted\]"/, 'the echoed token is redacted, the rest kept');
  assert.match(kept[0].requestHeaders, /"authorization":"\[redacted\]"/);

  // A replay of the kept call is sent with a fresh token from the cache, never the recorded "[redacted]".
  const { replayCall, replayInputSchema } = await import('@/lib/jobs');
  const seen = upstream.requests.length;
  const replay = await replayCall(getDb(), 'default', kept[0].id, replayInputSchema.parse({}));
  assert.equal(replay.dryRun, false);
  assert.equal(replay.dryRun === false && replay.status, 500);
  assert.equal(replay.request.headers.authorization, '[redacted]', 'the dry-run view names the header, not the token');
  assert.deepEqual(
    upstream.requests.slice(seen).map((r) => r.ok),
    [true],
    'the replay carried a valid token',
  );

  const tokens = new Set(upstream.requests.map((r) => r.token).filter(Boolean));
  assert.ok(tokens.size >= 3);
  const needles = [
    ...tokens,
    CLIENT_SECRET,
    ...Object.values(keys).flatMap((key) => [key.privatePem, key.privateJwk]),
  ].flatMap((value) => encodings(value).map((spelling) => [value.slice(0, 6), spelling] as const));
  const assertNoneIn = (where: string, haystack: string | Buffer) => {
    for (const [value, spelling] of needles)
      assert.equal(haystack.indexOf(spelling), -1, `${where} holds ${value}… as ${spelling}`);
  };
  if (database.provider === 'sqlite') {
    const dir = dirname(sqlitePath(database.url));
    for (const file of readdirSync(dir)) assertNoneIn(`database file ${file}`, readFileSync(join(dir, file)));
  } else {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows: tables } = await client.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      );
      for (const { table_name: table } of tables) {
        const { rows } = await client.query(`SELECT t::text AS row FROM "${table}" t`);
        assertNoneIn(`table ${table}`, rows.map((r) => r.row).join('\n'));
      }
    } finally {
      await client.end();
    }
  }
});

test('each environment has its own OAuth2 client; a 401 is one reauthorization, one call-log row', async () => {
  const created = await createIntegration(
    getDb(),
    'default',
    integrationSchema.parse({
      name: 'both targets',
      slug: 'both-targets',
      baseUrl: upstream.url,
      authScheme: 'oauth2',
      oauth2: {
        tokenUrl: authServer.tokenUrl,
        scopes: [SCOPE],
        clientId: 'basic-client',
        clientSecretEnv: 'BREAKWATER_SECRET_OAUTH_CLIENT',
      },
      sandbox: {
        baseUrl: upstream.url,
        authScheme: 'oauth2',
        oauth2: {
          tokenUrl: authServer.tokenUrl,
          scopes: [SCOPE],
          clientId: 'jwt-es256',
          clientAuth: 'private_key_jwt',
          keyAlgorithm: 'ES256',
          privateKeyEnv: 'BREAKWATER_SECRET_OAUTH_KEY',
        },
      },
      policy: { retry: { maxRetries: 0 }, rateLimit: { enabled: false }, cache: { enabled: false } },
    }),
  );
  const basic = grants('basic-client');
  const jwt = grants('jwt-es256');
  assert.equal((await call(created)).status, 200);
  assert.equal(grants('basic-client'), basic + 1, 'production asks its own client for a token');

  const switched = await switchEnvironment(getDb(), 'default', 'both-targets', 'sandbox', 'test');
  const sandbox = switched!.integration;
  assert.equal((await call(sandbox)).status, 200);
  assert.equal(grants('jwt-es256'), jwt + 1, 'the sandbox asks its own client (private_key_jwt)');
  assert.equal(grants('basic-client'), basic + 1);

  // A revoked token: the client's one reauthorization fetches a fresh token and resends within the call.
  await authServer.revokeAll();
  const seen = upstream.requests.length;
  const requestId = `oauth2-${tag}-${requestCount + 1}`;
  assert.equal((await call(sandbox)).status, 200);
  assert.deepEqual(
    upstream.requests.slice(seen).map((r) => r.ok),
    [false, true],
    'refused once, resent once',
  );
  assert.equal(grants('jwt-es256'), jwt + 2);
  await getRecorder().flush();
  const rows = await getDb().callLog.findMany({
    where: { requestId },
    select: { status: true, environment: true, credential: true, attemptCount: true },
  });
  assert.equal(rows.length, 1, 'the resend is part of the call, not a call of its own');
  assert.equal(rows[0].status, 200);
  assert.equal(rows[0].environment, 'sandbox');
  assert.equal(rows[0].credential, 'fresh_token');
});
