import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { applyMigrations, createDb, type Db, sqlitePath } from '@/lib/db';
import { failedCall } from '@/test/support/calls';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';
import { TelemetryRecorder } from './recorder';

// A real SQLite file, locked from another connection with an exclusive transaction (as a long migration,
// a backup or another process would): recording never throws, failures are counted, nothing is lost.
let database: TestDatabase;
let db: Db;

const call = failedCall;

async function storedCount(bucketSeconds: number, integrationId = 'int_pay'): Promise<number> {
  const sum = await db.metricRollup.aggregate({ where: { bucketSeconds, integrationId }, _sum: { count: true } });
  return sum._sum.count ?? 0;
}

before(async () => {
  database = await createTestDatabase('sqlite');
  await applyMigrations(database.url);
  db = createDb(database.url);
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_pay', slug: 'payments', name: 'Payments', baseUrl: 'http://x' },
  });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('a locked database: record() keeps working, the flush fails and is counted, nothing is lost after', async () => {
  const recorder = new TelemetryRecorder(db, { maxPendingCalls: 50, instance: 'test-lock' });
  for (let i = 0; i < 100; i++) recorder.record('int_pay', call(i));
  await recorder.flush();
  assert.equal(await storedCount(60), 100);
  assert.equal(recorder.stats.droppedCallLogRows, 50, 'failures are all kept, up to the bound of 50 pending');

  const locker = new Database(sqlitePath(database.url));
  locker.exec('BEGIN EXCLUSIVE');
  try {
    for (let i = 0; i < 200; i++) recorder.record('int_pay', call(i));
    await recorder.flush();
    assert.ok(recorder.stats.failedFlushes >= 1, 'the failed flush is counted');
    assert.match(recorder.stats.lastFlushError ?? '', /locked|busy|timed out/i);
    assert.equal(recorder.stats.droppedCallLogRows, 50 + 150, 'rows past the bound are dropped and counted');
  } finally {
    locker.exec('ROLLBACK');
    locker.close();
  }
  await recorder.flush();
  assert.equal(await storedCount(60), 300, 'every call is in the minute rollups');
  assert.equal(await storedCount(3600), 300, 'and in the hourly rollups');
  assert.equal(recorder.stats.droppedRollups, 0);
  assert.equal(await db.callLog.count(), 100, '50 before + the 50 kept within the bound while locked');
});

test('a rollup that can never be written does not hold back the others, and is counted when given up', async () => {
  const recorder = new TelemetryRecorder(db, { rollupGiveUpMs: 0, instance: 'test-fk' });
  for (let i = 0; i < 10; i++) recorder.record('int_deleted', call(i));
  for (let i = 0; i < 7; i++) recorder.record('int_pay', call(i, { route: '/fk' }));
  await recorder.flush();
  assert.equal(
    await db.metricRollup
      .aggregate({ where: { instance: 'test-fk', bucketSeconds: 60 }, _sum: { count: true } })
      .then((r) => r._sum.count),
    7,
  );
  assert.equal(recorder.stats.droppedRollups, 10);
});

// On the suite's provider (BREAKWATER_TEST_PROVIDER=postgresql runs it on PostgreSQL): the foreign-key
// failure each database reports must be recognised as one bad row, not an unavailable database.
test('deleting an integration while another one fails loses none of the other one’s calls, nor the cadence', async (t) => {
  const own = await createTestDatabase();
  await applyMigrations(own.url);
  const db = createDb(own.url);
  t.after(async () => {
    await db.$disconnect();
    await own.drop();
  });
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_gone', slug: 'gone', name: 'Gone', baseUrl: 'http://x' },
  });
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_keep', slug: 'keep', name: 'Keep', baseUrl: 'http://x' },
  });
  const recorder = new TelemetryRecorder(db, { instance: 'test-delete' });
  recorder.record('int_gone', call(0));
  await recorder.flush();
  const failedKept = (id: string) => db.callLog.count({ where: { integrationId: id } });
  const keptCount = () =>
    db.metricRollup
      .aggregate({ where: { integrationId: 'int_keep', bucketSeconds: 60 }, _sum: { count: true } })
      .then((r) => r._sum.count ?? 0);

  // Both integrations' calls are in flight, in the same batches, when one of them is deleted.
  for (let i = 0; i < 20; i++) {
    recorder.record('int_keep', call(i));
    recorder.record('int_gone', call(i));
    recorder.recordBreakerTransition('int_gone', { from: 'closed', to: 'open', at: Date.now() });
  }
  await db.integration.delete({ where: { id: 'int_gone' } });
  for (let i = 20; i < 40; i++) {
    recorder.record('int_keep', call(i));
    recorder.record('int_gone', call(i));
  }
  await recorder.flush();
  assert.equal(await failedKept('int_keep'), 40, 'every failed call of the other integration has its row');
  assert.equal(await db.callAttempt.count({ where: { call: { integrationId: 'int_keep' } } }), 40);
  assert.equal(await keptCount(), 40, 'its rollups are exact');
  assert.equal(await failedKept('int_gone'), 0, 'the deleted integration’s rows went with it');
  assert.equal(recorder.stats.droppedCallLogRows, 40, 'its in-flight calls are dropped and counted');
  assert.equal(recorder.stats.droppedRollups, 41, 'its minute rollup (41 calls, one written before) is counted');
  assert.equal(recorder.stats.droppedBreakerEvents, 20);
  assert.equal(recorder.stats.failedFlushes, 0, 'a deleted integration is not a database failure: no back-off');

  for (let i = 40; i < 50; i++) recorder.record('int_keep', call(i));
  await recorder.flush();
  assert.equal(await failedKept('int_keep'), 50, 'the next flush writes at once');
  assert.equal(await keptCount(), 50);
  assert.equal(recorder.stats.pendingCalls, 0);
});
