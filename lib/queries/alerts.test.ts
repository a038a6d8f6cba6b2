import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '@/lib/db';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { chartAnnotations } from './alerts';

// The lines on an integration's charts, read from a real database: what changed, in the range, of this
// integration of this workspace only.
let database: TestDatabase;
let db: Db;
const MIN = 60_000;
const t0 = Date.parse('2026-12-06T05:00:00Z');
const at = (minutes: number) => new Date(t0 + minutes * MIN);

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  await db.workspace.create({ data: { id: 'other', slug: 'other', name: 'Other' } });
  for (const [id, workspaceId] of [
    ['int_crm', 'default'],
    ['int_mail', 'default'],
    ['int_theirs', 'other'],
  ])
    await db.integration.create({
      data: { id, workspaceId, slug: id.slice(4), name: id, baseUrl: 'http://x', policy: '{}' },
    });
  const instance = async (workspaceId: string, name: string, integrationId: string) => {
    const rule = await db.alertRule.create({ data: { workspaceId, name, config: '{}' } });
    return db.alertInstance.create({
      data: {
        ruleId: rule.id,
        integrationId,
        integrationSlug: integrationId.slice(4),
        since: at(0),
        evaluatedAt: at(0),
      },
    });
  };
  const crm = await instance('default', 'High error rate', 'int_crm');
  const mail = await instance('default', 'Slow p95', 'int_mail');
  const theirs = await instance('other', 'Theirs', 'int_theirs');
  await db.alertTransition.createMany({
    data: [
      { instanceId: crm.id, at: at(1), fromState: 'inactive', toState: 'pending', value: 0.2 },
      { instanceId: crm.id, at: at(3), fromState: 'pending', toState: 'firing', value: 0.4 },
      { instanceId: crm.id, at: at(9), fromState: 'firing', toState: 'inactive', value: 0.01 },
      { instanceId: crm.id, at: at(90), fromState: 'inactive', toState: 'firing', value: 0.5 },
      { instanceId: mail.id, at: at(4), fromState: 'pending', toState: 'firing', value: 1200 },
      { instanceId: theirs.id, at: at(4), fromState: 'pending', toState: 'firing', value: 1 },
    ],
  });
  await db.breakerEvent.createMany({
    data: [
      {
        integrationId: 'int_crm',
        instance: 'i1',
        at: at(2),
        fromState: 'closed',
        toState: 'open',
        reason: '5 failures',
      },
      { integrationId: 'int_crm', instance: 'i1', at: at(7), fromState: 'open', toState: 'half-open', reason: null },
      { integrationId: 'int_mail', instance: 'i1', at: at(5), fromState: 'closed', toState: 'open', reason: null },
    ],
  });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test("an integration's alert firings and resolutions and its breaker changes in the range, oldest first", async () => {
  const marks = await chartAnnotations(db, 'default', 'int_crm', at(0), at(60));
  assert.deepEqual(
    marks.map((m) => [m.at.getTime() - t0, m.kind, m.state, m.subject, m.detail]),
    [
      [2 * MIN, 'breaker', 'open', 'i1', '5 failures'],
      [3 * MIN, 'alert', 'firing', 'High error rate', '0.4'],
      [7 * MIN, 'breaker', 'half-open', 'i1', null],
      [9 * MIN, 'alert', 'resolved', 'High error rate', '0.01'],
    ],
    'pending steps, other integrations, other workspaces and changes after the range are left out',
  );
});

test('asked from another workspace, an integration has no lines', async () => {
  assert.deepEqual(await chartAnnotations(db, 'other', 'int_crm', at(0), at(60)), []);
});
