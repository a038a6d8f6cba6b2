import type { Db } from '@/lib/db';
import { setting } from '@/lib/server/env';

const DAY_MS = 86_400_000;

/**
 * Deletes jobs that finished (done, or discarded by a person) more than BREAKWATER_RETENTION_JOB_DAYS ago
 * (14). Dead letters are kept whatever their age: they wait for someone to replay or discard them.
 */
export async function pruneFinishedJobs(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - setting('BREAKWATER_RETENTION_JOB_DAYS') * DAY_MS);
  const { count } = await db.job.deleteMany({
    where: { state: { in: ['done', 'discarded'] }, finishedAt: { lt: cutoff } },
  });
  return count;
}

/** Deletes queue samples older than BREAKWATER_RETENTION_QUEUE_SAMPLE_DAYS (7): they only feed the charts. */
export async function pruneQueueSamples(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - setting('BREAKWATER_RETENTION_QUEUE_SAMPLE_DAYS') * DAY_MS);
  return (await db.queueSample.deleteMany({ where: { at: { lt: cutoff } } })).count;
}
