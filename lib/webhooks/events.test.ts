// On a real SQLite file: webhook events follow their forward jobs from the queue's announcements, and the
// catch-up pass at start mends what no listener heard (a crash between a job's write and its event's).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '@/lib/db';
import { discardDeadLetters, replayDeadLetters } from '@/lib/jobs';
import { createMigratedDatabase, type TestDatabase } from '../../test/support/database';
import { countTotals } from './counts';
import { startForwardTracking } from './events';

let database: TestDatabase;
let db: Db;
const finishedAt = new Date(Date.now() - 60_000);

before(async () => {
  ({ database, db } = await createMigratedDatabase('sqlite'));
  await db.webhookSource.create({
    data: {
      workspaceId: 'default',
      id: 'src',
      slug: 'pay',
      name: 'Payments',
      integrationId: 'i1',
      integrationSlug: 'app',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_PAY_WEBHOOK',
    },
  });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

async function forward(id: string, eventState: string, job: { state: string; attempts: number; lastError?: string }) {
  const done = ['done', 'dead', 'discarded'].includes(job.state);
  await db.job.create({
    data: {
      workspaceId: 'default',
      id: `job-${id}`,
      integrationId: 'i1',
      integrationSlug: 'app',
      method: 'POST',
      path: '/hooks',
      idempotencyKey: id,
      maxAttempts: 3,
      runAt: finishedAt,
      source: 'webhook',
      ...job,
      finishedAt: done ? finishedAt : null,
    },
  });
  await db.webhookEvent.create({
    data: {
      id,
      sourceId: 'src',
      dedupKey: id,
      headers: '{}',
      body: Buffer.from('{}'),
      receivedAt: finishedAt,
      state: eventState,
      jobId: `job-${id}`,
    },
  });
}

const stateOf = async (id: string) =>
  db.webhookEvent.findUniqueOrThrow({ where: { id }, select: { state: true, forwardedAt: true, lastError: true } });

const totals = async () => {
  const all = await countTotals(db, { from: new Date(Date.now() - 3_600_000), to: new Date() });
  const counts = all.get('src');
  return { forwarded: counts?.forwarded ?? 0, failed: counts?.failed ?? 0 };
};

test('the pass at start brings events in line with jobs that changed while nobody listened, counting each once', async () => {
  await forward('delivered', 'received', { state: 'done', attempts: 1 });
  await forward('gave-up', 'forwarding', { state: 'dead', attempts: 3, lastError: 'upstream answered 500' });
  await forward('retrying', 'received', { state: 'queued', attempts: 1 });
  await forward('waiting', 'received', { state: 'queued', attempts: 0 });

  await startForwardTracking(db);

  assert.deepEqual(await stateOf('delivered'), { state: 'forwarded', forwardedAt: finishedAt, lastError: null });
  assert.deepEqual(await stateOf('gave-up'), {
    state: 'failed',
    forwardedAt: null,
    lastError: 'upstream answered 500',
  });
  assert.equal((await stateOf('retrying')).state, 'forwarding');
  assert.equal((await stateOf('waiting')).state, 'received');
  assert.deepEqual(await totals(), { forwarded: 1, failed: 1 });

  await startForwardTracking(db);
  assert.deepEqual(await totals(), { forwarded: 1, failed: 1 }, 'started twice, it neither counts nor runs twice');
});

test('replaying or discarding a dead letter is announced to its event at once, without any pass', async () => {
  await forward('replayed', 'failed', { state: 'dead', attempts: 3, lastError: 'upstream answered 500' });
  await forward('dropped', 'forwarding', { state: 'dead', attempts: 3, lastError: 'upstream answered 500' });

  assert.equal(await replayDeadLetters(db, 'default', ['job-replayed']), 1);
  assert.equal((await stateOf('replayed')).state, 'received', 'a replayed dead letter waits to be forwarded again');

  assert.equal(await discardDeadLetters(db, 'default', ['job-dropped']), 1);
  assert.deepEqual(await stateOf('dropped'), {
    state: 'failed',
    forwardedAt: null,
    lastError: 'upstream answered 500',
  });
  assert.deepEqual(await totals(), { forwarded: 1, failed: 2 });
});
