import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '@/lib/db';
import { isDomainError } from '@/lib/model';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { deleteIntegration, findIntegration, updateIntegration } from './service';

let database: TestDatabase;
let db: Db;

before(async () => {
  ({ database, db } = await createMigratedDatabase('sqlite'));
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('a policy stored before the bounds keeps its valid sections; an out-of-bounds one falls back to its defaults', async () => {
  // Saved by an older version: an overall deadline shorter than the default attempt timeout (now refused
  // at save time), next to a valid retry section.
  await db.integration.create({
    data: {
      workspaceId: 'default',
      name: 'Legacy',
      slug: 'legacy',
      baseUrl: 'https://api.legacy.example',
      authScheme: 'none',
      policy: JSON.stringify({ timeout: { overallMs: 5000 }, retry: { maxRetries: 1 } }),
    },
  });
  const integration = await findIntegration(db, 'default', 'legacy');
  assert.ok(integration, 'the integration still loads');
  assert.equal(integration.policy.retry.maxRetries, 1, 'the valid section is kept');
  assert.ok(integration.policy.timeout.attemptMs <= integration.policy.timeout.overallMs);
  assert.equal(integration.policy.timeout.overallMs, 30_000, 'the invalid section is the default');
});

test("the rows recording Breakwater's own deliveries cannot be changed or deleted through the API", async () => {
  await db.integration.create({
    data: {
      workspaceId: 'default',
      name: 'Alert notifications',
      slug: 'breakwater.alerts',
      baseUrl: 'https://alerts.breakwater.invalid',
    },
  });
  const refusedWith409 = (error: unknown) => isDomainError(error) && error.status === 409 && error.field === 'slug';
  await assert.rejects(updateIntegration(db, 'default', 'breakwater.alerts', { name: 'mine now' }), refusedWith409);
  await assert.rejects(deleteIntegration(db, 'default', 'breakwater.alerts'), refusedWith409);
  assert.equal((await findIntegration(db, 'default', 'breakwater.alerts'))?.name, 'Alert notifications');
});
