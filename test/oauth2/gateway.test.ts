import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { type BreakwaterServer, callApi, PASS_THROUGH_POLICY, signIn, startBreakwater } from '../support/server';
import {
  type AuthorizationServer,
  type ProtectedUpstream,
  SCOPE,
  startAuthorizationServer,
  startProtectedUpstream,
} from './support';

// The production server: an OAuth2 integration saved through the API (bad input named by field), called
// through the gateway with a token from a real authorization server; the token endpoint's failure is a
// clear answer; neither the token nor the client secret is in an API answer or the server's log.
const tag = randomBytes(4).toString('hex');
const CLIENT_SECRET = `gw/Client+Secret=${tag}`;

let database: TestDatabase;
let server: BreakwaterServer;
let authServer: AuthorizationServer;
let upstream: ProtectedUpstream;
let cookie: string;
let token: string;
const answers: string[] = [];

before(async () => {
  authServer = await startAuthorizationServer({ secret: CLIENT_SECRET });
  upstream = await startProtectedUpstream((value) => authServer.validate(value));
  database = await createTestDatabase();
  server = await startBreakwater(database.url, { BREAKWATER_SECRET_GW_OAUTH: CLIENT_SECRET, LOG_LEVEL: 'debug' });
  cookie = await signIn(server);
  token = (await api('/api/tokens', 'POST', { name: 'oauth2 gateway test' })).body.token;
});

after(async () => {
  await server?.stop();
  await upstream?.close();
  await authServer?.close();
  await database?.drop();
});

async function api(path: string, method = 'GET', body?: unknown) {
  const answer = await callApi(server, cookie, path, { method, body });
  answers.push(JSON.stringify(answer.body));
  return answer;
}

function integration(slug: string, tokenUrl: string, oauth2: Record<string, unknown> = {}) {
  return {
    name: slug,
    slug,
    baseUrl: upstream.url,
    authScheme: 'oauth2',
    oauth2: {
      tokenUrl,
      clientId: 'basic-client',
      clientSecretEnv: 'BREAKWATER_SECRET_GW_OAUTH',
      scopes: [SCOPE],
      ...oauth2,
    },
    policy: PASS_THROUGH_POLICY,
  };
}

async function gateway(slug: string, path = '/orders') {
  const response = await fetch(`${server.url}/api/gw/${slug}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  answers.push(text);
  return { status: response.status, text };
}

test('the API names the bad OAuth2 field and saves nothing', async () => {
  const bad = await api('/api/integrations', 'POST', integration('bad', 'https://10.0.0.1/token'));
  assert.equal(bad.status, 400);
  assert.ok(
    bad.body.issues.some((issue: { field: string }) => issue.field === 'oauth2.tokenUrl'),
    JSON.stringify(bad.body),
  );
  const noSecret = await api(
    '/api/integrations',
    'POST',
    integration('bad', authServer.tokenUrl, { clientSecretEnv: null, clientAuth: 'client_secret_post' }),
  );
  assert.equal(noSecret.status, 400);
  assert.ok(noSecret.body.issues.some((issue: { field: string }) => issue.field === 'oauth2.clientSecretEnv'));
  assert.equal((await api('/api/integrations/bad')).status, 404);
});

test('gateway calls carry a token the authorization server issued; the view shows names only', async () => {
  const created = await api('/api/integrations', 'POST', integration('orders', authServer.tokenUrl));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.integration.oauth2.clientSecretEnv, 'BREAKWATER_SECRET_GW_OAUTH');
  for (let i = 0; i < 5; i++) assert.equal((await gateway('orders')).status, 200);
  assert.equal(authServer.grants.get('basic-client'), 1);
  assert.deepEqual(new Set(upstream.requests.map((r) => r.ok)), new Set([true]));

  // A PATCH merges into the stored settings; changed settings get a new token at the next call.
  const patched = await api('/api/integrations/orders', 'PATCH', { oauth2: { refreshSkewSeconds: 120 } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(patched.body.integration.oauth2.tokenUrl, authServer.tokenUrl);
  assert.equal(patched.body.integration.oauth2.refreshSkewSeconds, 120);
  assert.equal((await gateway('orders')).status, 200);
  assert.equal(authServer.grants.get('basic-client'), 2);
});

test('the token endpoint down: the gateway answers 502, then 503 once its breaker opens, naming the field', async () => {
  const dead = `http://127.0.0.1:${await freePort()}/token`;
  assert.equal((await api('/api/integrations', 'POST', integration('dead', dead))).status, 201);
  const first = await gateway('dead');
  assert.equal(first.status, 502);
  assert.equal(JSON.parse(first.text).field, 'oauth2.tokenUrl');
  assert.match(JSON.parse(first.text).error, /OAuth2 token endpoint could not be reached/);
  let last = first;
  for (let i = 0; i < 6 && last.status !== 503; i++) last = await gateway('dead');
  assert.equal(last.status, 503, last.text);
  assert.match(JSON.parse(last.text).error, /circuit_open/);
});

test('no token nor client secret in any API answer or the server log', async () => {
  const calls = await api('/api/calls?integration=orders');
  assert.equal(calls.status, 200);
  const tokens = [...new Set(upstream.requests.map((r) => r.token))];
  assert.ok(tokens.length >= 1);
  const haystacks = [...answers, server.output()];
  for (const value of [...tokens, CLIENT_SECRET])
    for (const spelling of [value, Buffer.from(value).toString('base64'), encodeURIComponent(value)])
      for (const text of haystacks)
        assert.equal(text.indexOf(spelling), -1, `found ${value.slice(0, 4)}… as ${spelling}`);
});
