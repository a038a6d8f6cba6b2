import assert from 'node:assert/strict';
import { test } from 'node:test';
import { integrationSchema, TokenCache } from '@/lib/integrations';

// What an OAuth2 integration may be saved with: each bad input is named by its field.
process.env.BREAKWATER_SECRET_SCHEMA_OAUTH = 'client-secret';
process.env.BREAKWATER_SECRET_PINS = 'BREAKWATER_SECRET_SCHEMA_PINNED=https://login.example';
process.env.BREAKWATER_SECRET_SCHEMA_PINNED = 'pinned-secret';
delete process.env.BREAKWATER_OUTBOUND_ALLOW;

const base = { name: 'Orders', slug: 'orders', baseUrl: 'https://api.example', authScheme: 'oauth2' };
const oauth2 = {
  tokenUrl: 'https://login.example/token',
  clientId: 'breakwater',
  clientSecretEnv: 'BREAKWATER_SECRET_SCHEMA_OAUTH',
};

function issues(input: Record<string, unknown>): Record<string, string> {
  const result = integrationSchema.safeParse({ ...base, ...input });
  assert.equal(result.success, false, 'refused');
  return Object.fromEntries(result.error!.issues.map((issue) => [issue.path.join('.'), issue.message]));
}

test('a valid OAuth2 integration gets its defaults', () => {
  const parsed = integrationSchema.parse({ ...base, oauth2 });
  assert.deepEqual(parsed.oauth2, {
    ...oauth2,
    clientAuth: 'client_secret_basic',
    keyAlgorithm: 'RS256',
    scopes: [],
    refreshSkewSeconds: 60,
  });
});

test('bad OAuth2 input is named by its field', () => {
  assert.match(issues({}).oauth2, /is required for auth scheme "oauth2"/);
  assert.match(issues({ oauth2: { ...oauth2, tokenUrl: 'not a url' } })['oauth2.tokenUrl'], /absolute http\(s\) URL/);
  assert.match(
    issues({ oauth2: { ...oauth2, tokenUrl: 'http://login.example/token' } })['oauth2.tokenUrl'],
    /must use https/,
  );
  assert.match(
    issues({ oauth2: { ...oauth2, tokenUrl: 'https://10.0.0.5/token' } })['oauth2.tokenUrl'],
    /refused by the outbound policy/,
  );
  assert.match(issues({ oauth2: { ...oauth2, clientId: '' } })['oauth2.clientId'], /is required/);
  assert.match(issues({ oauth2: { ...oauth2, clientSecretEnv: 'HOME' } })['oauth2.clientSecretEnv'], /exposed secret/);
  assert.match(
    issues({ oauth2: { ...oauth2, clientSecretEnv: null } })['oauth2.clientSecretEnv'],
    /is required for client authentication "client_secret_basic"/,
  );
  assert.match(
    issues({ oauth2: { ...oauth2, clientAuth: 'private_key_jwt' } })['oauth2.privateKeyEnv'],
    /is required for client authentication "private_key_jwt"/,
  );
  assert.ok(issues({ oauth2: { ...oauth2, keyAlgorithm: 'HS256' } })['oauth2.keyAlgorithm']);
  assert.match(issues({ oauth2: { ...oauth2, scopes: ['has space'] } })['oauth2.scopes.0'], /printable ASCII/);
  assert.match(
    issues({ oauth2: { ...oauth2, resource: 'https://api.example/#frag' } })['oauth2.resource'],
    /without a fragment/,
  );
  assert.ok(issues({ oauth2: { ...oauth2, refreshSkewSeconds: -1 } })['oauth2.refreshSkewSeconds']);
  assert.match(
    issues({
      oauth2: { ...oauth2, tokenUrl: 'https://evil.example/token', clientSecretEnv: 'BREAKWATER_SECRET_SCHEMA_PINNED' },
    })['oauth2.tokenUrl'],
    /pinned to other origins/,
  );
});

test('the token cache: one request for concurrent callers, a failure not cached, a refused token dropped once', async () => {
  const cache = new TokenCache();
  let now = 1_000_000;
  cache.now = () => now;
  let requests = 0;
  let fail = false;
  const fetchToken = async () => {
    requests += 1;
    await new Promise((resolve) => setImmediate(resolve));
    if (fail) throw new Error('token endpoint down');
    return { value: `token-${requests}`, expiresInMs: 120_000, credential: 'primary' as const };
  };
  const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.token('i1', 'k', 30_000, fetchToken)));
  assert.equal(requests, 1);
  assert.deepEqual(new Set(tokens.map((t) => t.value)), new Set(['token-1']));

  now += 89_000;
  assert.equal((await cache.token('i1', 'k', 30_000, fetchToken)).value, 'token-1', 'outside the skew: kept');
  now += 2000;
  fail = true;
  await assert.rejects(cache.token('i1', 'k', 30_000, fetchToken), /token endpoint down/);
  fail = false;
  assert.equal((await cache.token('i1', 'k', 30_000, fetchToken)).value, 'token-3', 'the failure was not cached');

  cache.invalidate('i1', 'token-3');
  cache.invalidate('i1', 'token-3');
  const after = await Promise.all([cache.token('i1', 'k', 0, fetchToken), cache.token('i1', 'k', 0, fetchToken)]);
  assert.equal(requests, 4, 'one new token for callers refused with the same one');
  assert.equal(after[0].value, 'token-4');
  cache.invalidate('i1', 'token-3');
  assert.equal(
    (await cache.token('i1', 'k', 0, fetchToken)).value,
    'token-4',
    'a stale refusal does not drop the new token',
  );

  assert.equal(
    (await cache.token('i1', 'changed', 0, fetchToken)).value,
    'token-5',
    'a changed configuration gets a new token',
  );
  assert.deepEqual(cache.recentTokens('i1'), ['token-5', 'token-4', 'token-3', 'token-1']);
});

test('OAuth2 is part of a target: the sandbox can be oauth2, its issues named sandbox.oauth2.<field>', () => {
  const sandbox = { baseUrl: 'https://sandbox.example', authScheme: 'oauth2', oauth2 };
  const parsed = integrationSchema.parse({ ...base, oauth2, sandbox });
  assert.equal(parsed.sandbox?.oauth2?.clientId, 'breakwater');
  assert.match(
    issues({ oauth2, sandbox: { ...sandbox, oauth2: { ...oauth2, clientId: '' } } })['sandbox.oauth2.clientId'],
    /is required/,
  );
  assert.match(
    issues({ oauth2, sandbox: { ...sandbox, oauth2: undefined } })['sandbox.oauth2'],
    /is required for auth scheme "oauth2"/,
  );
  // With oauth2 the secondary is the client's next secret (asked when the token endpoint refuses the primary).
  assert.match(
    issues({ oauth2, secondarySecretEnv: oauth2.clientSecretEnv }).secondarySecretEnv,
    /must differ from oauth2.clientSecretEnv/,
  );
});
