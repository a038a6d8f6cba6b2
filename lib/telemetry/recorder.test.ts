import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { applyMigrations, createDb, type Db, sqlitePath } from '@/lib/db';
import type { CallSummary } from '@/lib/resilience';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';
import { TelemetryRecorder } from './recorder';

// A real SQLite file, locked from another connection with an exclusive transaction (as a long migration,
// a backup or another process would): recording never throws, failures are counted, nothing is lost.
let database: TestDatabase;
let db: Db;

function call(i: number, over: Partial<CallSummary> = {}): CallSummary {
  const startedAt = Date.now();
  return {
    integration: 'payments',
    requestId: `req-${i}-${Math.random()}`,
    method: 'GET',
    route: '/cards/:id',
    path: `/cards/${i}`,
    startedAt,
    durationMs: 10 + (i % 50),
    outcome: 'server_error',
    status: 500,
    attempts: [{ number: 1, startedAt, durationMs: 10 + (i % 50), status: 500, delayBeforeMs: 0 }],
    retries: 0,
    cache: 'bypass',
    rateLimitWaitMs: 0,
    rateLimited: false,
    requestHeaders: {},
    ...over,
  };
}

async function storedCount(bucketSeconds: number, integrationId = 'int_pay'): Promise<number> {
  const sum = await db.metricRollup.aggregate({ where: { bucketSeconds, integrationId }, _sum: { count: true } });
  return sum._sum.count ?? 0;
}

before(async () => {
  database = await createTestDatabase('sqlite');
  await applyMigrations(database.url);
  db = createDb(database.url);
  await db.integration.create({ data: { id: 'int_pay', slug: 'payments', name: 'Payments', baseUrl: 'http://x' } });
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
