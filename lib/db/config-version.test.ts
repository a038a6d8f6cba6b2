import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import type { Db } from './client';
import { bumpConfigVersion, readConfigVersion } from './config-version';

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
