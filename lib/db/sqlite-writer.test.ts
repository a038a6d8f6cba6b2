// A real SQLite file: statements run by the writer thread, with their results, gates and rollback, read back
// through Prisma and through another connection.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { createDb, type Db } from './client';
import { guardedUpdateStatements } from './guarded-updates';
import { applyMigrations } from './migrate';
import { SqliteWriteError, type SqliteWriterThread, sqliteWriterFor } from './sqlite-writer';

let database: TestDatabase;
let db: Db;
let writer: SqliteWriterThread;

before(async () => {
  database = await createTestDatabase('sqlite');
  await applyMigrations(database.url);
  db = createDb(database.url);
  writer = sqliteWriterFor(db)!;
});

after(async () => {
  await writer.close();
  await db.$disconnect();
  await database.drop();
});

const INSERT_JOB =
  'INSERT INTO "Job" ("id", "workspaceId", "integrationId", "integrationSlug", "method", "path", "idempotencyKey", "maxAttempts", "runAt") ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("id") DO UPDATE SET "priority" = "priority" + 1 RETURNING "id", "priority"';
const jobParams = (id: string) => [
  id,
  'default',
  randomUUID(),
  'app',
  'POST',
  '/x',
  `k-${id}`,
  3,
  new Date('2026-12-06T00:00:00.000Z'),
];

test('statements run in order in one transaction and say what each run did once committed', async () => {
  const [a, b] = [randomUUID(), randomUUID()];
  const results = await writer.run([
    { sql: INSERT_JOB, rows: [jobParams(a), jobParams(b), jobParams(a)], returning: true },
    {
      sql: 'UPDATE "Job" SET "state" = ? WHERE "id" = ?',
      rows: [
        ['running', a],
        ['running', randomUUID()],
      ],
    },
  ]);
  assert.deepEqual(results[0].returned, [[{ id: a, priority: 0 }], [{ id: b, priority: 0 }], [{ id: a, priority: 1 }]]);
  assert.deepEqual(results[1].changes, [1, 0]);
  const stored = await db.job.findUniqueOrThrow({ where: { id: a } });
  assert.equal(stored.state, 'running');
  assert.equal(stored.runAt.toISOString(), '2026-12-06T00:00:00.000Z');
});

test('a statement gated on one that changed nothing is skipped; on one that applied, it runs', async () => {
  const id = randomUUID();
  await writer.run([{ sql: INSERT_JOB, rows: [jobParams(id)], returning: true }]);
  const updates = guardedUpdateStatements('Job', [
    { where: { id, state: 'running' }, data: { state: 'done' } },
    { where: { id, state: 'queued' }, data: { state: 'running', attempts: 1 } },
  ]);
  const results = await writer.run([
    ...updates,
    { sql: 'UPDATE "Job" SET "lastError" = ? WHERE "id" = ?', rows: [['skipped', id]], onlyIfChanged: 0 },
    { sql: 'UPDATE "Job" SET "resultBody" = ? WHERE "id" = ?', rows: [['followed', id]], onlyIfChanged: 1 },
  ]);
  assert.deepEqual(
    results.map((r) => r.changes),
    [[0], [1], [], [1]],
  );
  const stored = await db.job.findUniqueOrThrow({ where: { id } });
  assert.deepEqual(
    [stored.state, stored.attempts, stored.lastError, stored.resultBody],
    ['running', 1, null, 'followed'],
  );
});

test('a statement the database refuses rolls back the whole transaction; the thread goes on', async () => {
  const id = randomUUID();
  await assert.rejects(
    writer.run([
      { sql: INSERT_JOB, rows: [jobParams(id)], returning: true },
      { sql: 'INSERT INTO "Job" ("id") VALUES (?)', rows: [[randomUUID()]] },
    ]),
    (error: unknown) => error instanceof SqliteWriteError && /NOT NULL/i.test(error.message),
  );
  assert.equal(await db.job.count({ where: { id } }), 0);
  // The thread goes on: the next transaction commits.
  await writer.run([{ sql: INSERT_JOB, rows: [jobParams(id)], returning: true }]);
  assert.equal(await db.job.count({ where: { id } }), 1);
});
