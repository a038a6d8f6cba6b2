import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createDb, type Db, readConfigVersion } from '@/lib/db';
import { TOKEN_SCOPES } from '@/lib/model';
import { createMigratedDatabase, createTestDatabase, type TestDatabase } from '@/test/support/database';
import { createApiToken, flushTokenUse, loadTokenSnapshot, revokeApiToken, tokenOwnerForGateway } from './tokens';

let database: TestDatabase;
let db: Db;
let userId: string;

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  userId = (await db.user.create({ data: { username: 'tokens-test', passwordHash: 'x' } })).id;
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('the gateway knows a token at once after its creation and refuses it at once after its revocation', async () => {
  const before = await readConfigVersion(db);
  const { token, view } = await createApiToken(db, userId, 'default', { name: 'gateway', scopes: TOKEN_SCOPES });
  assert.deepEqual(
    { ...tokenOwnerForGateway(token) },
    {
      tokenId: view.id,
      userId,
      workspaceId: 'default',
      scopes: ['gateway', 'read', 'write', 'admin'],
      integrations: null,
      expiresAt: null,
      rateLimits: null,
      quotas: null,
    },
  );
  assert.equal(tokenOwnerForGateway(`${token}x`), null);
  assert.equal(tokenOwnerForGateway(undefined), null);
  assert.ok(await revokeApiToken(db, 'default', view.id));
  assert.equal(tokenOwnerForGateway(token), null);
  assert.equal(await readConfigVersion(db), before + 2, 'each change bumps the version for other instances');
  await loadTokenSnapshot(db);
  assert.equal(tokenOwnerForGateway(token), null, 'a reload keeps a revoked token out');
});

test('last uses are written in one batch, not per call, and kept for the next batch when the write fails', async () => {
  const { token, view } = await createApiToken(db, userId, 'default', { name: 'used', scopes: TOKEN_SCOPES });
  for (let i = 0; i < 5; i++) tokenOwnerForGateway(token);
  const stored = () => db.apiToken.findUniqueOrThrow({ where: { id: view.id }, select: { lastUsedAt: true } });
  assert.equal((await stored()).lastUsedAt, null, 'nothing written on the call path');

  // A real failing write: a database without the tables (no migrations applied).
  const unmigrated = await createTestDatabase();
  const broken = createDb(unmigrated.url);
  try {
    await assert.rejects(flushTokenUse(broken));
  } finally {
    await broken.$disconnect();
    await unmigrated.drop();
  }
  assert.equal((await stored()).lastUsedAt, null);

  assert.ok((await flushTokenUse(db)) >= 1);
  assert.ok((await stored()).lastUsedAt instanceof Date, 'the use kept from the failed batch is written');
  assert.equal(await flushTokenUse(db), 0, 'nothing left to write');
});

test('a batch of last uses writes the time of each use, and a token deleted since its use does not fail the batch', async () => {
  const kept = await createApiToken(db, userId, 'default', { name: 'kept', scopes: TOKEN_SCOPES });
  const gone = await createApiToken(db, userId, 'default', { name: 'gone', scopes: TOKEN_SCOPES });
  const usedFrom = Date.now();
  tokenOwnerForGateway(kept.token);
  tokenOwnerForGateway(gone.token);
  const usedUntil = Date.now();
  await db.apiToken.delete({ where: { id: gone.view.id } });
  assert.equal(await flushTokenUse(db), 2);
  const { lastUsedAt } = await db.apiToken.findUniqueOrThrow({
    where: { id: kept.view.id },
    select: { lastUsedAt: true },
  });
  assert.ok(lastUsedAt instanceof Date);
  assert.ok(lastUsedAt.getTime() >= usedFrom && lastUsedAt.getTime() <= usedUntil, 'the time of the use');
  assert.equal(await db.apiToken.count({ where: { id: gone.view.id } }), 0, 'the deleted token is not written back');
});
