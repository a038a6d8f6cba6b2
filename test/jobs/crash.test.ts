import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createDb, type Db } from '@/lib/db';
import { eventually, JobsHarness } from './support';

// 500 jobs, the server SIGKILLed while they are in flight, started again on the same database.
//
// The idempotency property: the demo upstream counts one effect per request that arrives, even when it
// repeats a key, whereas a real upstream (Stripe and the like) performs the effect once per key. So "no
// double effect" is checked as: every request carried its job's key (no unkeyed effect, no unknown key);
// a key arrived more than once only for a job that was attempted more than once (its lease expired with
// the crash and it was claimed again), never more often than that job's attempts; and every done job's key
// arrived at least once. An upstream that dedups by key therefore saw each job's effect exactly once.
const JOBS = 500;
const h = new JobsHarness({
  BREAKWATER_JOB_LEASE_MS: '3000',
  BREAKWATER_JOB_CONCURRENCY: '10',
  BREAKWATER_JOB_BACKOFF_MS: '200',
});
let db: Db;

before(async () => {
  await h.start();
  db = createDb(h.database.url);
});

after(async () => {
  await db?.$disconnect();
  await h.stop();
});

test('SIGKILL with 500 jobs in flight: after a restart every job is done or dead-lettered, none lost, no double effect', async () => {
  // Slow enough that jobs are mid-call when the server dies.
  await h.setFault({ route: '/demo/crash/*', mode: 'ok', latencyMs: { min: 200, max: 400 } });
  const ids: string[] = new Array(JOBS);
  let next = 0;
  const enqueue = async () => {
    while (next < JOBS) {
      const i = next++;
      const created = await h.api('/api/jobs', {
        method: 'POST',
        body: { integration: 'demo', method: 'POST', path: `/crash/${i}`, body: { i } },
      });
      assert.equal(created.status, 202, JSON.stringify(created.body));
      ids[i] = created.body.id;
    }
  };
  await Promise.all(Array.from({ length: 20 }, enqueue));
  await eventually('some jobs to be done while others are in flight', async () => {
    const { body } = await h.api('/api/jobs/stats');
    return body.byState.done > 0 && body.byState.running > 0 && body.depth > 0 ? true : undefined;
  });
  const inFlight = await db.job.count({ where: { state: 'running' } });
  await h.restart('SIGKILL');

  const stats = await eventually('every job to finish after the restart', async () => {
    const { body } = await h.api('/api/jobs/stats');
    return body.depth === 0 ? body : undefined;
  });
  const jobs = await db.job.findMany({ where: { id: { in: ids } } });
  assert.equal(jobs.length, JOBS, 'no job lost');
  assert.ok(jobs.every((job) => job.state === 'done' || job.state === 'dead'));
  assert.equal(stats.byState.done + stats.byState.dead, JOBS);

  const effects = await h.control('effects');
  assert.equal(effects.unkeyed, 0, 'every request carried an idempotency key');
  const keys = new Map(jobs.map((job) => [job.idempotencyKey, job]));
  for (const key of Object.keys(effects.byKey)) assert.ok(keys.has(key), `effect under unknown key ${key}`);
  for (const job of jobs) {
    const count = effects.byKey[job.idempotencyKey] ?? 0;
    if (job.state === 'done') assert.ok(count >= 1, `done job ${job.id} never reached the upstream`);
    assert.ok(count <= job.attempts, `job ${job.id}: ${count} requests for ${job.attempts} attempts`);
  }
  for (const key of effects.duplicates) assert.ok(keys.get(key)!.attempts > 1, `${key} repeated without a re-claim`);
  // What the crash cost: the jobs in flight were re-sent, with their keys, and nothing else was.
  assert.ok(effects.duplicates.length <= inFlight + 10, `${effects.duplicates.length} repeats, ${inFlight} in flight`);
});
