import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createDb, type Db } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type BreakwaterServer, callApi, eventually, signIn, startBreakwater } from '../support/server';

// The instances list on the production server (SQLite, or PostgreSQL with BREAKWATER_TEST_PROVIDER): the
// running instance heartbeats under its BREAKWATER_INSTANCE_ID, and one whose heartbeats stopped is marked.
let database: TestDatabase;
let server: BreakwaterServer;
let db: Db;
let cookie: string;

before(async () => {
  database = await createTestDatabase();
  server = await startBreakwater(database.url, { BREAKWATER_INSTANCE_ID: 'node-a', BREAKWATER_HEARTBEAT_MS: '200' });
  cookie = await signIn(server);
  db = createDb(database.url);
});

after(async () => {
  await db?.$disconnect();
  await server?.stop();
  await database?.drop();
});

test('the running instance is listed with its heartbeat; one silent for three heartbeats is marked stopped', async () => {
  // An instance that stopped a minute ago (its heartbeats came from another process).
  const minuteAgo = new Date(Date.now() - 60_000);
  await db.serviceInstance.create({
    data: { id: 'node-gone', version: '0.1.0', startedAt: minuteAgo, heartbeatAt: minuteAgo, callsPerSecond: 3 },
  });
  const listed = await eventually('node-a to heartbeat', async () => {
    const { status, body } = await callApi(server, cookie, '/api/instances');
    assert.equal(status, 200);
    return body.instances.some((i: { id: string }) => i.id === 'node-a') ? body.instances : undefined;
  });
  const byId = Object.fromEntries(listed.map((i: { id: string }) => [i.id, i]));
  assert.deepEqual(Object.keys(byId).sort(), ['node-a', 'node-gone']);
  assert.equal(byId['node-a'].stale, false);
  assert.equal(byId['node-a'].redisDegraded, false, 'no REDIS_URL: nothing to degrade');
  assert.equal(byId['node-a'].version, '0.1.0');
  assert.equal(byId['node-gone'].stale, true);

  // The dashboard page lists both, the silent one marked.
  const page = await fetch(`${server.url}/instances`, { headers: { cookie } }).then((r) => r.text());
  assert.match(page, /node-a/);
  assert.match(page, /node-gone[\s\S]*stopped heartbeating/);
});

test('the list needs a signed-in user or a token', async () => {
  const response = await fetch(`${server.url}/api/instances`);
  assert.equal(response.status, 401);
});
