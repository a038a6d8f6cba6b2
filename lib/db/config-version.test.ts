import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { createDb, type Db } from './client';
import { bumpConfigVersion, onConfigBumped, readConfigVersion } from './config-version';

let database: TestDatabase;
let db: Db;

before(async () => {
  ({ database, db } = await createMigratedDatabase());
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('the config version starts at 0 and every bump, even concurrent first ones, counts once', async () => {
  assert.equal(await readConfigVersion(db), 0);
  const versions = await Promise.all(Array.from({ length: 8 }, () => bumpConfigVersion(db)));
  assert.deepEqual(
    [...versions].sort((a, b) => a - b),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  assert.equal(await readConfigVersion(db), 8);
});

test('a version bumped by another connection is read at once, and an uncommitted bump is not', async () => {
  const before = await readConfigVersion(db);
  const other = createDb(database.url);
  try {
    await bumpConfigVersion(other);
    assert.equal(await readConfigVersion(db), before + 1);
    // An open write transaction on another connection: the read sees the last committed version.
    await other.$transaction(async (tx) => {
      await tx.configVersion.update({ where: { id: 1 }, data: { version: { increment: 1 } } });
      assert.equal(await readConfigVersion(db), before + 1);
    });
    assert.equal(await readConfigVersion(db), before + 2);
  } finally {
    await other.$disconnect();
  }
});

test('each bump this process makes is announced with its version, until the listener is removed', async () => {
  const heard: number[] = [];
  const stop = onConfigBumped((version) => heard.push(version));
  const version = await bumpConfigVersion(db);
  assert.deepEqual(heard, [version]);
  stop();
  await bumpConfigVersion(db);
  assert.deepEqual(heard, [version]);
});
