import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applyMigrations, createDb, type Db } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';
import { assertSecretRole, SecretRoleConflictError } from '.';

// A secret name is one environment variable of the instance, so its role (verifying inbound webhooks, or
// signing and authenticating outbound calls) is checked across workspaces; the refusal names the other use
// only to a member of the workspace that holds it.
let database: TestDatabase;
let db: Db;

before(async () => {
  database = await createTestDatabase();
  await applyMigrations(database.url);
  db = createDb(database.url);
  const other = await db.workspace.create({ data: { slug: 'other', name: 'Other' } });
  await db.integration.create({
    data: {
      workspaceId: other.id,
      slug: 'hidden-crm',
      name: 'Hidden',
      baseUrl: 'https://crm.example/',
      secretEnv: 'BREAKWATER_SECRET_SHARED',
    },
  });
  await db.integration.create({
    data: {
      workspaceId: 'default',
      slug: 'own-crm',
      name: 'Own',
      baseUrl: 'https://crm.example/',
      secretEnv: 'BREAKWATER_SECRET_OWN',
    },
  });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test("a conflict with another workspace's object is refused without naming it", async () => {
  const refusal = await assertSecretRole(
    db,
    'verification',
    [{ field: 'secretEnv', name: 'BREAKWATER_SECRET_SHARED' }],
    'default',
  ).catch((error: unknown) => error);
  assert.ok(refusal instanceof SecretRoleConflictError);
  assert.equal(refusal.field, 'secretEnv');
  assert.match(refusal.message, /an outbound credential in another workspace/);
  assert.doesNotMatch(refusal.message, /hidden-crm/);
});

test('a conflict within the workspace names the object, so its members can find it', async () => {
  await assert.rejects(
    assertSecretRole(db, 'verification', [{ field: 'secretEnv', name: 'BREAKWATER_SECRET_OWN' }], 'default'),
    /the credential of integration "own-crm"/,
  );
  await assertSecretRole(db, 'verification', [{ field: 'secretEnv', name: 'BREAKWATER_SECRET_UNUSED' }], 'default');
});
