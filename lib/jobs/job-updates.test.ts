// The job worker's batched writes on a real database (SQLite, or PostgreSQL with BREAKWATER_TEST_PROVIDER=
// postgresql): guarded updates of many jobs at once apply only to the jobs still as they were read, and a batch
// of outcomes is written and then announced to the jobs' source.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '@/lib/db';
import { createIntegration, type Integration, integrationSchema } from '@/lib/integrations';
import { createMigratedDatabase, type TestDatabase } from '../../test/support/database';
import { FinishBatcher, updateJobs } from './job-updates';
import { jobRecord } from './queue';
import { type JobTransition, onJobTransition } from './transitions';

process.env.BREAKWATER_OUTBOUND_ALLOW = '127.0.0.1';

let database: TestDatabase;
let db: Db;
let integration: Integration;

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  integration = await createIntegration(
    db,
    'default',
    integrationSchema.parse({
      name: 'Application',
      slug: 'app',
      baseUrl: 'http://127.0.0.1:9/app',
      authScheme: 'none',
    }),
  );
});
after(() => database.drop());

async function enqueue(count: number, source = 'api') {
  const rows = Array.from({ length: count }, () =>
    jobRecord(
      integration,
      { integration: 'app', method: 'POST', path: '/x', headers: {}, body: '{}', priority: 0 },
      source,
    ),
  );
  await db.job.createMany({ data: rows });
  return rows;
}

test('a claim of many jobs applies to those still as read, says which, and stores dates as Prisma reads them', async () => {
  const [a, b, c] = await enqueue(3);
  // Another worker claimed c since it was read: its guard no longer holds.
  await db.job.update({ where: { id: c.id }, data: { state: 'running', attempts: 1 } });
  const now = new Date('2026-01-02T03:04:05.678Z');
  const claim = { state: 'running', attempts: 1, claimedAt: now, leaseUntil: new Date(now.getTime() + 60_000) };
  const applied = await updateJobs(
    db,
    [a, b, c].map((job) => ({ guard: { id: job.id, state: 'queued', attempts: 0 }, data: claim })),
  );
  assert.deepEqual(applied, [true, true, false]);
  const stored = await db.job.findMany({ where: { id: { in: [a.id, b.id] } } });
  for (const job of stored) {
    assert.equal(job.state, 'running');
    assert.equal(job.attempts, 1);
    assert.equal(job.claimedAt?.toISOString(), now.toISOString());
  }
  // The claimed jobs no longer match a query for due ones; the lease is compared as a date.
  const expired = await db.job.count({ where: { id: { in: [a.id, b.id] }, leaseUntil: { lt: now } } });
  assert.equal(expired, 0);
});

test('outcomes recorded together are all written, then announced to the source in one call after the commit', async () => {
  const jobs = await enqueue(20, 'batched-test');
  await updateJobs(
    db,
    jobs.map((job) => ({
      guard: { id: job.id, state: 'queued', attempts: 0 },
      data: { state: 'running', attempts: 1 },
    })),
  );
  const heard: JobTransition[][] = [];
  onJobTransition('batched-test', async (listenerDb, transitions) => {
    // Told after the write: the jobs read as done.
    const done = await listenerDb.job.count({ where: { id: { in: transitions.map((t) => t.id) }, state: 'done' } });
    assert.equal(done, transitions.length);
    heard.push(transitions);
  });
  const finishes = new FinishBatcher(db);
  const finishedAt = new Date();
  const applied = await Promise.all(
    jobs.map((job, i) =>
      finishes.record(
        // The last one's guard is stale (its attempt was already recorded): it is not applied nor announced.
        { id: job.id, state: 'running', attempts: i === jobs.length - 1 ? 2 : 1 },
        { state: 'done', lastStatus: 204, leaseUntil: null, finishedAt },
        { id: job.id, source: 'batched-test', state: 'done', attempts: 1, finishedAt, lastError: null },
      ),
    ),
  );
  assert.deepEqual(applied, [...Array(19).fill(true), false]);
  assert.equal(heard.flat().length, 19);
  // Twenty outcomes recorded in the same tick form one batch: one write, one announcement.
  assert.equal(heard.length, 1);
  assert.equal(await db.job.count({ where: { id: { in: jobs.map((job) => job.id) }, state: 'done' } }), 19);
});
