// A real SQLite file: the database is one better-sqlite3 connection shared by every caller in the process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { createDb, type Db } from './client';
import { applyMigrations } from './migrate';

const integration = (slug: string) => ({ workspaceId: 'default', slug, name: slug, baseUrl: 'http://127.0.0.1:9/' });

let database: TestDatabase;
let db: Db;

before(async () => {
  database = await createTestDatabase('sqlite');
  await applyMigrations(database.url);
  db = createDb(database.url);
  // Prisma compiles each query shape on first use; compiled, the writes below run as soon as they are issued.
  await db.$transaction(async (tx) => tx.integration.create({ data: integration('warm-up') }));
  await db.integration.create({ data: integration('warm-up-2') });
  await db.integration.deleteMany();
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test("another caller's write made while a transaction is open survives that transaction's rollback", async () => {
  let issueOther!: (write: Promise<unknown>) => void;
  const otherIssued = new Promise<Promise<unknown>>((resolve) => {
    issueOther = resolve;
  });
  const rolledBack = db
    .$transaction(async (tx) => {
      await tx.integration.create({ data: integration('in-the-transaction') });
      const other = db.integration.create({ data: integration('another-caller') });
      issueOther(other);
      // Run inside this transaction, the other write would be done at once; made to wait, it cannot be.
      await Promise.race([other, sleep(1000)]);
      throw new Error('roll back');
    })
    .catch((error: Error) => error.message);
  assert.equal(await rolledBack, 'roll back');
  await await otherIssued;
  const slugs = (await db.integration.findMany({ select: { slug: true } })).map((row) => row.slug);
  assert.deepEqual(slugs, ['another-caller']);
});

test('a transaction that commits keeps its writes and lets the waiting writes through after it', async () => {
  const order: string[] = [];
  let insideOpen!: () => void;
  const opened = new Promise<void>((resolve) => {
    insideOpen = resolve;
  });
  const committed = db.$transaction(async (tx) => {
    await tx.integration.create({ data: integration('committed') });
    insideOpen();
    await sleep(50);
    order.push('transaction done');
  });
  await opened;
  const other = db.integration.create({ data: integration('after-commit') }).then(() => order.push('other write'));
  await Promise.all([committed, other]);
  assert.deepEqual(order, ['transaction done', 'other write']);
  assert.equal(await db.integration.count({ where: { slug: { in: ['committed', 'after-commit'] } } }), 2);
});

test("a write on a second connection of this process waits for the first connection's open transaction", async () => {
  // As the telemetry writer's own connection sits next to the app's: better-sqlite3 waits for a lock
  // synchronously, so without waiting at the gate this write would block the very commit it waits for.
  const second = createDb(database.url, { sqliteBusyTimeoutMs: 200 });
  try {
    let opened!: () => void;
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const transaction = db.$transaction(async (tx) => {
      await tx.integration.create({ data: integration('first-connection') });
      opened();
      await sleep(300);
    });
    await open;
    await second.integration.create({ data: integration('second-connection') });
    await transaction;
    assert.equal(await db.integration.count({ where: { slug: { in: ['first-connection', 'second-connection'] } } }), 2);
  } finally {
    await second.$disconnect();
  }
});
