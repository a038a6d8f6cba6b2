import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createDb, type Db } from '@/lib/db';
import { eventually, JobsHarness } from './support';

// 500 jobs, the server SIGKILLed while they are in flight, started again on the same database; then a bulk
// replay SIGKILLed part-way, resumed by the restarted server.
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
  BREAKWATER_REPLAY_LEASE_MS: '2000',
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
  await h.setFault({ route: '/demo/crash/*', mode: 'ok', latencyMs: { kind: 'uniform', min: 200, max: 400 } });
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

test('SIGKILL during a bulk replay: the restarted server resumes the run, and an item sent again keeps its key', async () => {
  const CALLS = 30;
  const CONCURRENCY = 3;
  await h.control('reset', { method: 'POST' });
  const token = (await h.api('/api/tokens', { method: 'POST', body: { name: 'crash' } })).body.token;
  await h.setFault({ route: '/demo/resume/*', mode: 'fail', failStatus: 500 });
  for (let i = 0; i < CALLS; i++) assert.equal((await h.gateway(token, 'POST', `/resume/${i}`, '{}')).status, 500);
  const filter = { integration: 'demo', route: '/resume', outcome: 'server_error' };
  await eventually('the failed calls in the call log', async () => {
    const { body } = await h.api('/api/replay/bulk', { method: 'POST', body: { filter, dryRun: true } });
    return body.count === CALLS ? true : undefined;
  });
  const originalKeys = new Set(Object.keys((await h.control('effects')).byKey));

  // The upstream is back, slowly enough that replays are in flight when the server dies.
  await h.setFault({ route: '/demo/resume/*', mode: 'ok', latencyMs: { kind: 'uniform', min: 150, max: 250 } });
  const started = await h.api('/api/replay/bulk', {
    method: 'POST',
    body: { filter, idempotency: 'new', concurrency: CONCURRENCY },
  });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const runId = started.body.run.id;
  const before = await eventually('part of the run to be done', async () => {
    const { body } = await h.api(`/api/replay/bulk/${runId}`);
    return body.done >= 5 ? body : undefined;
  });
  assert.equal(before.state, 'running');
  await h.restart('SIGKILL');

  const run = await eventually('the run to finish on the restarted server', async () => {
    const { body } = await h.api(`/api/replay/bulk/${runId}`);
    return body.state === 'done' ? body : undefined;
  });
  assert.deepEqual([run.total, run.succeeded, run.failed, run.refused, run.resumes], [CALLS, CALLS, 0, 0, 1]);
  const items = await db.replayRunItem.findMany({ where: { runId } });
  assert.equal(items.length, CALLS);
  assert.ok(items.every((item) => item.state === 'succeeded' && item.replayId));

  // "New keys" are derived per item, so an item whose replay was in flight at the crash is sent again under
  // the key it had: one key per call, whatever the crash cost.
  const effects = await h.control('effects');
  assert.equal(effects.unkeyed, 0);
  const replayKeys = Object.keys(effects.byKey).filter((key) => !originalKeys.has(key));
  assert.equal(replayKeys.length, CALLS, 'one new key per call replayed');
  const resent = replayKeys.reduce((sum, key) => sum + effects.byKey[key] - 1, 0);
  assert.ok(resent <= CONCURRENCY, `${resent} replays sent again: only those in flight at the crash may be`);
  for (const key of originalKeys) assert.equal(effects.byKey[key], 1, 'no original was sent again under its own key');
});
