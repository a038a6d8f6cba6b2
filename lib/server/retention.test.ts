// On a real SQLite file: what the background retention deletes, and what it must keep.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '@/lib/db';
import { createMigratedDatabase, type TestDatabase } from '../../test/support/database';
import { pruneBackgroundHistory } from './retention';

const DAY_MS = 86_400_000;
const now = new Date('2026-11-26T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);

let database: TestDatabase;
let db: Db;

before(async () => {
  ({ database, db } = await createMigratedDatabase('sqlite'));
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('finished jobs, old queue samples and bulk replay runs, old sync items and runs, settled webhook events and old counts go; dead letters and unfinished work stay', async () => {
  const job = (id: string, state: string, finishedDaysAgo: number | null) =>
    db.job.create({
      data: {
        workspaceId: 'default',
        id,
        integrationId: 'i1',
        integrationSlug: 'pay',
        state,
        method: 'POST',
        path: '/charges',
        idempotencyKey: id,
        maxAttempts: 3,
        runAt: daysAgo(40),
        createdAt: daysAgo(40),
        finishedAt: finishedDaysAgo === null ? null : daysAgo(finishedDaysAgo),
      },
    });
  await job('old-done', 'done', 20);
  await job('old-discarded', 'discarded', 20);
  await job('old-dead', 'dead', 60);
  await job('recent-done', 'done', 2);
  await job('old-queued', 'queued', null);
  await db.queueSample.createMany({
    data: [
      { at: daysAgo(8), depth: 3, deadLetters: 0 },
      { at: daysAgo(1), depth: 5, deadLetters: 1 },
    ],
  });

  const sync = await db.sync.create({
    data: {
      workspaceId: 'default',
      id: 's1',
      slug: 'feed',
      integrationId: 'i1',
      integrationSlug: 'pay',
      path: '/events',
      intervalSeconds: 60,
      nextRunAt: now,
    },
  });
  await db.syncItem.createMany({
    data: [
      { syncId: sync.id, itemId: 'old', payload: '{}', receivedAt: daysAgo(31) },
      { syncId: sync.id, itemId: 'new', payload: '{}', receivedAt: daysAgo(1) },
    ],
  });
  await db.syncRun.createMany({
    data: [
      { id: 'r-old', syncId: sync.id, startedAt: daysAgo(31), state: 'done' },
      { id: 'r-old-running', syncId: sync.id, startedAt: daysAgo(31), state: 'running' },
      { id: 'r-new', syncId: sync.id, startedAt: daysAgo(1), state: 'done' },
    ],
  });

  const source = await db.webhookSource.create({
    data: {
      workspaceId: 'default',
      id: 'w1',
      slug: 'stripe',
      name: 'Stripe',
      integrationId: 'i1',
      integrationSlug: 'pay',
      scheme: 'stripe',
      secretEnv: 'BREAKWATER_SECRET_STRIPE_WEBHOOK',
    },
  });
  const event = (id: string, state: string, receivedDaysAgo: number) =>
    db.webhookEvent.create({
      data: {
        id,
        sourceId: source.id,
        dedupKey: id,
        headers: '{}',
        body: new Uint8Array(Buffer.from('{}')),
        receivedAt: daysAgo(receivedDaysAgo),
        state,
      },
    });
  await event('e-old-forwarded', 'forwarded', 31);
  await event('e-old-failed', 'failed', 31);
  await event('e-old-forwarding', 'forwarding', 31);
  await event('e-new-forwarded', 'forwarded', 1);
  await db.webhookCount.createMany({
    data: [
      { sourceId: source.id, bucket: daysAgo(91), outcome: 'received', count: 5 },
      { sourceId: source.id, bucket: daysAgo(1), outcome: 'received', count: 7 },
    ],
  });

  const run = (id: string, state: string, startedDaysAgo: number) =>
    db.replayRun.create({
      data: {
        workspaceId: 'default',
        id,
        filter: '{}',
        idempotency: 'reuse',
        concurrency: 5,
        state,
        total: 1,
        createdAt: daysAgo(startedDaysAgo),
        items: { create: [{ position: 0, callId: `call-${id}` }] },
      },
    });
  await run('run-old-done', 'done', 20);
  await run('run-old-running', 'running', 20);
  await run('run-new-done', 'done', 2);

  const deleted = await pruneBackgroundHistory(db, now);
  assert.deepEqual(deleted, {
    jobs: 2,
    queueSamples: 1,
    replayRuns: 1,
    syncItems: 1,
    syncRuns: 1,
    webhookEvents: 2,
    webhookCounts: 1,
    auditEvents: 0,
  });
  const ids = async (rows: Promise<{ id: string }[]>) => (await rows).map((r) => r.id).sort();
  assert.deepEqual(await ids(db.job.findMany({ select: { id: true } })), ['old-dead', 'old-queued', 'recent-done']);
  assert.deepEqual(
    (await db.queueSample.findMany({ select: { depth: true } })).map((r) => r.depth),
    [5],
  );
  assert.deepEqual(
    (await db.syncItem.findMany({ select: { itemId: true } })).map((r) => r.itemId),
    ['new'],
  );
  assert.deepEqual(await ids(db.replayRun.findMany({ select: { id: true } })), ['run-new-done', 'run-old-running']);
  assert.deepEqual(
    (await db.replayRunItem.findMany({ select: { callId: true } })).map((r) => r.callId).sort(),
    ['call-run-new-done', 'call-run-old-running'],
    "an old run's items go with it",
  );
  assert.deepEqual(await ids(db.syncRun.findMany({ select: { id: true } })), ['r-new', 'r-old-running']);
  assert.deepEqual(await ids(db.webhookEvent.findMany({ select: { id: true } })), [
    'e-new-forwarded',
    'e-old-forwarding',
  ]);
  assert.deepEqual(
    (await db.webhookCount.findMany({ select: { count: true } })).map((r) => r.count),
    [7],
  );
  assert.deepEqual(
    await pruneBackgroundHistory(db, now),
    {
      jobs: 0,
      queueSamples: 0,
      replayRuns: 0,
      syncItems: 0,
      syncRuns: 0,
      webhookEvents: 0,
      webhookCounts: 0,
      auditEvents: 0,
    },
    'a second pass finds nothing more',
  );
});
