import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { startTestUpstream, type TestUpstream } from './support';

// The production server (the suite's provider: SQLite, or PostgreSQL in scripts/test-all.sh) killed with
// SIGKILL right after answering calls it had not flushed, then started again under the same instance id:
// the dashboard counts every answered call once (the telemetry journal, lib/telemetry/journal.ts).
const INSTANCE = 'journal-node';
const KILLED_AFTER = 25;
const AFTER_RESTART = 7;
let database: TestDatabase;
let db: Db;
let upstream: TestUpstream;
let journalDir: string;
let server: BreakwaterServer | undefined;
let token: string;

function start(flushIntervalMs: number): Promise<BreakwaterServer> {
  return startBreakwater(database.url, {
    BREAKWATER_INSTANCE_ID: INSTANCE,
    BREAKWATER_TELEMETRY_JOURNAL_DIR: journalDir,
    BREAKWATER_FLUSH_INTERVAL_MS: String(flushIntervalMs),
  });
}

async function answeredCalls(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const response = await fetch(`${server!.url}/api/gw/ledger/entries/${i}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.arrayBuffer();
    assert.equal(response.status, 200);
  }
}

/** Calls in the rollups: [minute rows, hour rows, billable attempts]. */
async function stored(): Promise<[number, number, number]> {
  const where = { instance: INSTANCE, integration: { slug: 'ledger' } };
  const byWidth = await db.metricRollup.groupBy({ by: ['bucketSeconds'], where, _sum: { count: true } });
  const usage = await db.usageRollup.aggregate({ where, _sum: { attempts: true } });
  const width = (seconds: number) => byWidth.find((row) => row.bucketSeconds === seconds)?._sum.count ?? 0;
  return [width(60), width(3600), usage._sum.attempts ?? 0];
}

/** The Overview tile's request count, as the dashboard shows it. */
async function dashboardRequests(): Promise<number> {
  const { body } = await callApi(server!, await signIn(server!), '/api/overview?window=15m');
  return body.integrations.find((tile: { slug: string }) => tile.slug === 'ledger')?.requests ?? 0;
}

before(async () => {
  database = await createTestDatabase();
  db = createDb(database.url);
  upstream = await startTestUpstream();
  journalDir = mkdtempSync(join(tmpdir(), 'bw-journal-test-'));
  // The first run never flushes on its own (one hour apart): what it answers is only in its journal.
  server = await start(3_600_000);
  const cookie = await signIn(server);
  token = (await callApi(server, cookie, '/api/tokens', { method: 'POST', body: { name: 'journal' } })).body.token;
  const created = await callApi(server, cookie, '/api/integrations', {
    method: 'POST',
    body: { name: 'Ledger', slug: 'ledger', baseUrl: upstream.url, authScheme: 'none', policy: PASS_THROUGH_POLICY },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
});

after(async () => {
  await server?.stop();
  await db?.$disconnect();
  await upstream?.close();
  await database?.drop();
  if (journalDir) rmSync(journalDir, { recursive: true, force: true });
});

test('calls answered before a SIGKILL are counted once the instance is started again under its id', async () => {
  await answeredCalls(KILLED_AFTER);
  assert.equal(await server!.stop('SIGKILL'), null, 'killed, not exited');
  server = undefined;
  assert.deepEqual(await stored(), [0, 0, 0], 'nothing was flushed before the kill');

  server = await start(100);
  await answeredCalls(AFTER_RESTART);
  const total = KILLED_AFTER + AFTER_RESTART;
  await eventually('the journal replayed and the new calls flushed', async () =>
    (await stored())[0] === total ? true : undefined,
  ).catch(() => undefined);
  assert.deepEqual(await stored(), [total, total, total], 'minute rows, hour rows and billable attempts');
  assert.equal(await dashboardRequests(), total);

  // A clean stop leaves no journal behind, and a later start under the same id adds to what is stored.
  await server.stop('SIGTERM');
  server = undefined;
  assert.deepEqual(readdirSync(journalDir), []);
  server = await start(100);
  await answeredCalls(1);
  await eventually('the call after a clean restart flushed', async () =>
    (await stored())[0] === total + 1 ? true : undefined,
  ).catch(() => undefined);
  assert.deepEqual(await stored(), [total + 1, total + 1, total + 1]);
  assert.equal(await dashboardRequests(), total + 1);
});
