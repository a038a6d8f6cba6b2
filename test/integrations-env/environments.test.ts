import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createDb, type Db } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type BreakwaterServer,
  callApi,
  eventually,
  PASS_THROUGH_POLICY,
  signIn,
  startBreakwater,
} from '../support/server';
import { type KeyedUpstream, startKeyedUpstream } from './support';

// Sandbox and production targets through the production server: the switch is its own API action,
// recorded; calls after it go to the sandbox's base URL with the sandbox's credential and are labelled
// sandbox in the call log, the explorer and the rollups (exact counts per environment).
const PROD_KEY = 'prod-key-5d1e90';
const SANDBOX_KEY = 'sandbox-key-c04b7a';
let database: TestDatabase;
let server: BreakwaterServer;
let db: Db;
let cookie: string;
let token: string;
let production: KeyedUpstream;
let sandbox: KeyedUpstream;

before(async () => {
  database = await createTestDatabase();
  production = await startKeyedUpstream([PROD_KEY]);
  sandbox = await startKeyedUpstream([SANDBOX_KEY]);
  server = await startBreakwater(database.url, {
    BREAKWATER_SECRET_ENV_PROD: PROD_KEY,
    BREAKWATER_SECRET_ENV_SANDBOX: SANDBOX_KEY,
  });
  db = createDb(database.url);
  cookie = await signIn(server);
  token = (await callApi(server, cookie, '/api/tokens', { method: 'POST', body: { name: 'env test' } })).body.token;
});

after(async () => {
  await server?.stop();
  await db?.$disconnect();
  await production?.close();
  await sandbox?.close();
  await database?.drop();
});

function gateway(slug: string, path: string) {
  return fetch(`${server.url}/api/gw/${slug}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

const switchTo = (slug: string, body: unknown) =>
  callApi(server, cookie, `/api/integrations/${slug}/environment`, { method: 'POST', body });

test('bad input: a 400 naming the field, nothing changed', async () => {
  const created = await callApi(server, cookie, '/api/integrations', {
    method: 'POST',
    body: { name: 'Only prod', slug: 'only-prod', baseUrl: production.url, policy: PASS_THROUGH_POLICY },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  for (const body of [{}, { environment: 'staging' }, { environment: 7 }]) {
    const answer = await switchTo('only-prod', body);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.field, 'environment');
  }
  const noSandbox = await switchTo('only-prod', { environment: 'sandbox' });
  assert.equal(noSandbox.status, 400);
  assert.equal(noSandbox.body.field, 'environment');
  assert.match(noSandbox.body.error, /no sandbox/);
  assert.equal((await switchTo('missing', { environment: 'production' })).status, 404);

  const badSandbox = await callApi(server, cookie, '/api/integrations/only-prod', {
    method: 'PATCH',
    body: { sandbox: { baseUrl: 'not a url', authScheme: 'bearer', secretEnv: 'BREAKWATER_SECRET_ENV_SANDBOX' } },
  });
  assert.equal(badSandbox.status, 400);
  assert.equal(badSandbox.body.field, 'sandbox.baseUrl');
  const unexposed = await callApi(server, cookie, '/api/integrations/only-prod', {
    method: 'PATCH',
    body: { sandbox: { baseUrl: sandbox.url, authScheme: 'bearer', secretEnv: 'DATABASE_URL' } },
  });
  assert.equal(unexposed.status, 400);
  assert.equal(unexposed.body.field, 'sandbox.secretEnv');
  const row = await db.integration.findFirstOrThrow({ where: { slug: 'only-prod' } });
  assert.equal(row.sandbox, null);
  assert.equal(row.activeEnvironment, 'production');
  assert.equal(await db.environmentSwitch.count(), 0);
});

test('a switch is recorded and calls after it go to the sandbox, labelled; rollups per environment are exact', async () => {
  const created = await callApi(server, cookie, '/api/integrations', {
    method: 'POST',
    body: {
      name: 'Payments',
      slug: 'payments',
      baseUrl: `${production.url}/live`,
      authScheme: 'bearer',
      secretEnv: 'BREAKWATER_SECRET_ENV_PROD',
      sandbox: { baseUrl: `${sandbox.url}/test`, authScheme: 'bearer', secretEnv: 'BREAKWATER_SECRET_ENV_SANDBOX' },
      policy: PASS_THROUGH_POLICY,
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.integration.activeEnvironment, 'production');
  assert.equal(created.body.integration.sandbox.baseUrl, `${sandbox.url}/test`);

  const before = production.seen.length;
  for (let i = 0; i < 4; i++) assert.equal((await gateway('payments', `/charges/p${i}`)).status, 200);
  assert.deepEqual(
    production.seen.slice(before).map((s) => [s.path, s.credential]),
    [0, 1, 2, 3].map((i) => [`/live/charges/p${i}`, PROD_KEY]),
  );

  const switched = await switchTo('payments', { environment: 'sandbox' });
  assert.equal(switched.status, 200, JSON.stringify(switched.body));
  assert.equal(switched.body.integration.activeEnvironment, 'sandbox');
  assert.equal(switched.body.switched, true);
  const again = await switchTo('payments', { environment: 'sandbox' });
  assert.equal(again.body.switched, false, 'switching to the active environment records nothing');
  const events = await db.environmentSwitch.findMany();
  assert.equal(events.length, 1);
  assert.equal(events[0].fromEnvironment, 'production');
  assert.equal(events[0].toEnvironment, 'sandbox');
  assert.equal(events[0].actor, 'admin');

  // The data plane switched at once: the next call already goes to the sandbox, with its key.
  const sandboxBefore = sandbox.seen.length;
  for (let i = 0; i < 3; i++) assert.equal((await gateway('payments', `/charges/s${i}`)).status, 200);
  assert.deepEqual(
    sandbox.seen.slice(sandboxBefore).map((s) => [s.path, s.credential]),
    [0, 1, 2].map((i) => [`/test/charges/s${i}`, SANDBOX_KEY]),
  );
  assert.equal(production.seen.length, before + 4, 'production received nothing after the switch');

  const integration = await db.integration.findFirstOrThrow({ where: { slug: 'payments' } });
  // Rollups: exact per environment (minute rows, every instance).
  const counts = await eventually('rollups of both environments', async () => {
    const rows = await db.metricRollup.groupBy({
      by: ['environment'],
      where: { integrationId: integration.id, bucketSeconds: 60 },
      _sum: { count: true },
    });
    const byEnv = Object.fromEntries(rows.map((r) => [r.environment, r._sum.count]));
    return byEnv.production === 4 && byEnv.sandbox === 3 ? byEnv : undefined;
  });
  assert.deepEqual(counts, { production: 4, sandbox: 3 });

  // The call log and the explorer label and filter them.
  const calls = await eventually('sandbox calls in the call log', async () => {
    const rows = await db.callLog.findMany({ where: { integrationId: integration.id } });
    return rows.some((c) => c.environment === 'sandbox') ? rows : undefined;
  });
  for (const c of calls) assert.equal(c.environment, c.path.startsWith('/test/') ? 'sandbox' : 'production', c.path);
  const explorer = await callApi(server, cookie, '/api/calls?integration=payments&environment=sandbox');
  assert.equal(explorer.status, 200);
  assert.ok(explorer.body.calls.length >= 1);
  assert.ok(explorer.body.calls.every((c: { environment: string }) => c.environment === 'sandbox'));
  assert.equal((await callApi(server, cookie, '/api/calls?environment=staging')).body.field, 'environment');

  // The charts read one environment or both.
  const to = new Date(Date.now() + 60_000).toISOString();
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const total = async (environment?: string) => {
    const query = new URLSearchParams({ from, to, ...(environment && { environment }) });
    const series = await callApi(server, cookie, `/api/integrations/payments/timeseries?${query}`);
    assert.equal(series.status, 200);
    return series.body.points.reduce((n: number, p: { requests: number }) => n + p.requests, 0);
  };
  assert.equal(await total('production'), 4);
  assert.equal(await total('sandbox'), 3);
  assert.equal(await total(), 7);

  // Prometheus labels the environment.
  const metrics = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await metrics.text();
  const callsOf = (environment: string) =>
    text
      .split('\n')
      .filter((line) =>
        line.startsWith(
          `breakwater_calls_total{workspace="default",integration="payments",environment="${environment}",`,
        ),
      )
      .reduce((n, line) => n + Number(line.split(' ').at(-1)), 0);
  assert.equal(callsOf('production'), 4);
  assert.equal(callsOf('sandbox'), 3);

  // Back to production.
  assert.equal((await switchTo('payments', { environment: 'production' })).status, 200);
  assert.equal((await gateway('payments', '/charges/p9')).status, 200);
  assert.equal(production.seen.at(-1)?.path, '/live/charges/p9');
  assert.equal(await db.environmentSwitch.count(), 2);

  // A sandbox cannot be removed while active.
  await switchTo('payments', { environment: 'sandbox' });
  const removal = await callApi(server, cookie, '/api/integrations/payments', {
    method: 'PATCH',
    body: { sandbox: null },
  });
  assert.equal(removal.status, 400);
  assert.equal(removal.body.field, 'sandbox');
});
