import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { applyMigrations, createDb, type Db, sqlitePath, sqliteWriterFor } from '@/lib/db';
import { failedCall } from '@/test/support/calls';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';
import { TelemetryRecorder } from './recorder';

// SQLite: the recorder's writes are committed by a worker thread (lib/db/sqlite-writer.ts) with a connection
// of its own, a real file read back from other connections and another process.
let database: TestDatabase;
let db: Db;

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

function rawCounts(instance: string): { minute: number; hour: number; calls: number; attempts: number } {
  const raw = new Database(sqlitePath(database.url), { readonly: true });
  try {
    const sum = (bucketSeconds: number) =>
      (
        raw
          .prepare('SELECT COALESCE(SUM(count), 0) AS n FROM MetricRollup WHERE instance = ? AND bucketSeconds = ?')
          .get(instance, bucketSeconds) as { n: number }
      ).n;
    const calls = (
      raw.prepare('SELECT COUNT(*) AS n FROM CallLog WHERE path LIKE ?').get(`/${instance}/%`) as { n: number }
    ).n;
    const attempts = (
      raw
        .prepare('SELECT COUNT(*) AS n FROM CallAttempt JOIN CallLog ON CallLog.id = callId WHERE path LIKE ?')
        .get(`/${instance}/%`) as { n: number }
    ).n;
    return { minute: sum(60), hour: sum(3600), calls, attempts };
  } finally {
    raw.close();
  }
}

test('a flush is on disk when it resolves: another connection reads every row at once', async () => {
  const recorder = new TelemetryRecorder(db, { instance: 'on-disk' });
  for (let i = 0; i < 250; i++) recorder.record('int_pay', failedCall(i, { path: `/on-disk/${i}` }));
  await recorder.flush();
  assert.deepEqual(rawCounts('on-disk'), { minute: 250, hour: 250, calls: 250, attempts: 250 });
  // Prisma reads the rows the thread wrote as its own (dates, JSON text, nulls).
  const row = await db.callLog.findFirstOrThrow({ where: { path: '/on-disk/7' }, include: { attempts: true } });
  assert.equal(row.status, 500);
  assert.ok(row.startedAt instanceof Date && Math.abs(row.startedAt.getTime() - Date.now()) < 60_000);
  assert.equal(row.attempts[0].number, 1);
  assert.equal(row.upstreamRequestId, null);
  const rollup = await db.metricRollup.findFirstOrThrow({ where: { instance: 'on-disk', bucketSeconds: 60 } });
  assert.equal(rollup.count, 250);
  assert.equal(typeof JSON.parse(rollup.latencyHist), 'object');
  assert.equal(recorder.stats.failedFlushes, 0);
});

test('a worker crash is a counted failed flush and a new thread; nothing is lost or counted twice', async () => {
  const recorder = new TelemetryRecorder(db, { instance: 'crash' });
  for (let i = 0; i < 100; i++) recorder.record('int_pay', failedCall(i, { path: `/crash/${i}` }));
  await recorder.flush();
  const writer = sqliteWriterFor(db)!;
  const restarts = writer.restarts;
  for (let i = 100; i < 300; i++) recorder.record('int_pay', failedCall(i, { path: `/crash/${i}` }));
  writer.crash();
  await recorder.flush();
  assert.equal(recorder.stats.failedFlushes, 1, 'the flush the thread died under is counted as failed');
  assert.match(recorder.stats.lastFlushError ?? '', /writer thread stopped/);
  assert.deepEqual(rawCounts('crash'), { minute: 100, hour: 100, calls: 100, attempts: 100 }, 'nothing half-written');

  await recorder.flush();
  assert.equal(writer.restarts, restarts + 1, 'a new thread took over');
  assert.deepEqual(rawCounts('crash'), { minute: 300, hour: 300, calls: 300, attempts: 300 });
  assert.equal(recorder.stats.droppedCallLogRows, 0);
  assert.equal(recorder.stats.droppedRollups, 0);
});

test('a SIGKILL right after an acknowledged flush loses nothing', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/recorder-child.ts', database.url, '400'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  while (!out.includes('\n')) {
    const [chunk] = (await once(child.stdout, 'data')) as [string];
    out += chunk;
  }
  assert.equal(out.trim(), 'flushed 0');
  child.kill('SIGKILL');
  const [, signal] = await once(child, 'exit');
  assert.equal(signal, 'SIGKILL');
  const minute = await db.metricRollup.aggregate({
    where: { instance: 'killed', bucketSeconds: 60 },
    _sum: { count: true },
  });
  assert.equal(minute._sum.count, 400);
  assert.equal(await db.callLog.count({ where: { path: { startsWith: '/cards/' } } }), 400);
});
