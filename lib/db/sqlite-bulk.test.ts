// A real SQLite file: rows written by the bulk writer next to the same rows written by Prisma, read back
// both through Prisma and raw, column by column.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { createDb, type Db } from './client';
import { applyMigrations } from './migrate';
import { type SqliteBulkWriter, sqliteBulkWriterFor } from './sqlite-bulk';

let database: TestDatabase;
let db: Db;
let writer: SqliteBulkWriter;
let raw: Database.Database;
const sourceId = randomUUID();

before(async () => {
  database = await createTestDatabase('sqlite');
  await applyMigrations(database.url);
  db = createDb(database.url);
  writer = sqliteBulkWriterFor(db)!;
  raw = new Database(database.url.slice('file:'.length), { readonly: true });
  await db.webhookSource.create({
    data: {
      workspaceId: 'default',
      id: sourceId,
      slug: 'pay',
      name: 'Payments',
      integrationId: randomUUID(),
      integrationSlug: 'app',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_BULK_TEST',
    },
  });
});

after(async () => {
  raw.close();
  writer.close();
  await db.$disconnect();
  await database.drop();
});

/** A forward job as lib/jobs' jobRecord makes one: some columns null, the rest left to their defaults. */
const job = () => ({
  id: randomUUID(),
  workspaceId: 'default',
  integrationId: randomUUID(),
  integrationSlug: 'app',
  priority: 3,
  method: 'POST',
  path: '/hooks/in?x=ü',
  headers: JSON.stringify({ 'content-type': 'application/json', 'idempotency-key': 'k-1' }),
  body: '{"amount":1000,"note":"naïve ✓"}',
  idempotencyKey: 'evt_1',
  maxAttempts: 6,
  runAt: new Date('2026-12-05T23:59:58.123Z'),
  source: 'webhook',
  completionUrl: null,
  completionSecretEnv: null,
});

const event = (jobId: string) => ({
  id: randomUUID(),
  sourceId,
  dedupKey: `evt_${randomUUID()}`,
  headers: JSON.stringify({ 'webhook-id': 'msg_1', 'webhook-signature': '[REDACTED]' }),
  // Not UTF-8, with a NUL: the body is bytes, stored as received.
  body: new Uint8Array([0, 1, 0xff, 0xfe, 0x7b, 0x22]),
  receivedAt: new Date('2026-12-05T23:59:57.001Z'),
  jobId,
  duplicates: 2,
});

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;

/** Two rows of one table, raw as SQLite stores them: every column the same type and value, but `differ`. */
function assertStoredAlike(table: string, idA: string, idB: string, differ: string[]) {
  const row = (id: string) => raw.prepare(`SELECT * FROM "${table}" WHERE "id" = ?`).get(id) as Record<string, unknown>;
  const [a, b] = [row(idA), row(idB)];
  assert.deepEqual(Object.keys(a), Object.keys(b));
  for (const column of Object.keys(a)) {
    assert.equal(typeof a[column], typeof b[column], `${table}.${column}: same storage class`);
    if (a[column] instanceof Buffer) assert.ok(b[column] instanceof Buffer, `${table}.${column}: both blobs`);
    if (differ.includes(column)) continue;
    assert.deepEqual(a[column], b[column], `${table}.${column}`);
  }
  return [a, b];
}

test('rows written by the bulk writer are stored and read back through Prisma exactly as rows Prisma writes', async () => {
  const [viaPrisma, viaBulk] = [job(), job()];
  const [eventViaPrisma, eventViaBulk] = [event(viaPrisma.id), event(viaBulk.id)];
  const writtenAfter = new Date();
  await db.$transaction([
    db.webhookEvent.createMany({ data: [eventViaPrisma] }),
    db.job.createMany({ data: [viaPrisma] }),
  ]);
  const createdAt = new Date();
  await writer.write((tx) => {
    tx.insert('WebhookEvent', [eventViaBulk]);
    // Prisma fills the @default(now()) itself; the bulk writer is given it.
    tx.insert('Job', [{ ...viaBulk, createdAt }]);
  });

  const [jobA, jobB] = await Promise.all(
    [viaPrisma, viaBulk].map((j) => db.job.findUniqueOrThrow({ where: { id: j.id } })),
  );
  const { id: _a, integrationId: _ia, createdAt: createdA, ...restA } = jobA;
  const { id: _b, integrationId: _ib, createdAt: createdB, ...restB } = jobB;
  assert.deepEqual(restB, restA, 'every other column, defaults included');
  assert.equal(jobB.integrationId, viaBulk.integrationId);
  assert.deepEqual(createdB, createdAt);
  assert.ok(createdA >= writtenAfter && createdA <= createdAt, 'Prisma stamped its own row at its write');

  const [eventA, eventB] = await Promise.all(
    [eventViaPrisma, eventViaBulk].map((e) => db.webhookEvent.findUniqueOrThrow({ where: { id: e.id } })),
  );
  const { id: _ea, dedupKey: keyA, jobId: jobIdA, ...eventRestA } = eventA;
  const { id: _eb, dedupKey: keyB, jobId: jobIdB, ...eventRestB } = eventB;
  assert.deepEqual(eventRestB, eventRestA);
  assert.deepEqual([keyB, jobIdB], [eventViaBulk.dedupKey, viaBulk.id]);
  assert.deepEqual([keyA, jobIdA], [eventViaPrisma.dedupKey, viaPrisma.id]);
  assert.deepEqual([...eventB.body], [0, 1, 0xff, 0xfe, 0x7b, 0x22]);

  const [rawJobA, rawJobB] = assertStoredAlike('Job', viaPrisma.id, viaBulk.id, ['id', 'integrationId', 'createdAt']);
  for (const row of [rawJobA, rawJobB]) {
    assert.match(String(row.createdAt), ISO_UTC);
    assert.match(String(row.runAt), ISO_UTC);
  }
  const [rawEventA] = assertStoredAlike('WebhookEvent', eventViaPrisma.id, eventViaBulk.id, [
    'id',
    'dedupKey',
    'jobId',
  ]);
  assert.match(String(rawEventA.receivedAt), ISO_UTC);
});

test('a bulk write that throws leaves nothing of it', async () => {
  const before = await db.job.count();
  await assert.rejects(
    writer.write((tx) => {
      tx.insert('Job', [{ ...job(), createdAt: new Date() }]);
      throw new Error('second thoughts');
    }),
    /second thoughts/,
  );
  assert.equal(await db.job.count(), before);
});

test('a bulk write issued while a Prisma transaction is open runs after it, and its rollback does not undo it', async () => {
  const [bulkJob, rolledBackJob] = [job(), job()];
  let bulkWrite!: Promise<void>;
  await assert.rejects(
    db.$transaction(async (tx) => {
      await tx.job.create({ data: rolledBackJob });
      bulkWrite = writer.write((bulk) => bulk.insert('Job', [{ ...bulkJob, createdAt: new Date() }]));
      // Run at once, the bulk write would wait synchronously for this transaction's lock, stalling the process.
      await sleep(50);
      throw new Error('rolled back');
    }),
    /rolled back/,
  );
  await bulkWrite;
  assert.ok(await db.job.findUnique({ where: { id: bulkJob.id } }), 'the bulk write is stored');
  assert.equal(await db.job.findUnique({ where: { id: rolledBackJob.id } }), null, 'the transaction is undone');
});
