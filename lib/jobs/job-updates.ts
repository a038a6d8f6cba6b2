import { type Db, type GuardedUpdate, guardedUpdatesIn, sqliteBulkWriterFor, sqliteGuardedUpdates } from '@/lib/db';
import { announceTransitions, followInTransaction, type JobTransition } from './transitions';

/** A job as its claimer read it: an update applies only while the job is still in this state and attempt. */
export interface JobGuard {
  id: string;
  state: string;
  attempts: number;
}

type JobData = GuardedUpdate['data'];

/**
 * Guarded updates of many jobs in one transaction (one commit for a whole claim or a tick's outcomes, not one
 * per job): SQLite through lib/db's bulk writer, PostgreSQL through one Prisma batch transaction. Says for
 * each whether it applied (false: another worker or a person changed the job since it was read).
 */
export async function updateJobs(db: Db, updates: readonly { guard: JobGuard; data: JobData }[]): Promise<boolean[]> {
  if (updates.length === 0) return [];
  const sqlite = await sqliteGuardedUpdates(
    db,
    'Job',
    updates.map(({ guard, data }) => ({ where: { ...guard }, data })),
  );
  if (sqlite) return sqlite;
  const results = await db.$transaction(
    updates.map(({ guard, data }) => db.job.updateMany({ where: guard, data: data as never })),
  );
  return results.map(({ count }) => count === 1);
}

interface Finish {
  guard: JobGuard;
  data: JobData;
  transition: JobTransition & { source: string };
  resolve(applied: boolean): void;
  reject(error: unknown): void;
}

/**
 * Records the outcomes of attempts as they end, many in one transaction (group commit, as the webhook ingest
 * does): the first outcome of a quiet moment is written at once, those that end while it is being written
 * form the next batch, so batches grow with the load. Each batch's transitions are announced together after
 * its commit (one pass of each source's listener), then each attempt is told whether its outcome applied.
 */
export class FinishBatcher {
  private waiting: Finish[] = [];
  private scheduled = false;
  private writing = false;

  constructor(private readonly db: Db) {}

  record(guard: JobGuard, data: JobData, transition: JobTransition & { source: string }): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ guard, data, transition, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.writeNext());
  }

  private async writeNext(): Promise<void> {
    this.scheduled = false;
    if (this.writing || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.writing = true;
    try {
      const applied = await this.write(batch);
      for (const [i, finish] of batch.entries()) finish.resolve(applied[i]);
    } catch (error) {
      for (const finish of batch) finish.reject(error);
    } finally {
      this.writing = false;
      if (this.waiting.length > 0) this.schedule();
    }
  }

  /**
   * The batch's outcomes in one transaction, its transitions announced after the commit. On SQLite the
   * listeners that can (webhook events) write inside that same transaction: one commit for both.
   */
  private async write(batch: Finish[]): Promise<boolean[]> {
    const bulk = sqliteBulkWriterFor(this.db);
    let announce: (JobTransition & { source: string })[];
    let applied: boolean[];
    if (bulk) {
      let afterCommit = () => {};
      applied = await bulk.write((tx) => {
        const done = guardedUpdatesIn(
          tx,
          'Job',
          batch.map(({ guard, data }) => ({ where: { ...guard }, data })),
        );
        const followed = followInTransaction(
          this.db,
          tx,
          batch.filter((_, i) => done[i]).map((finish) => finish.transition),
        );
        afterCommit = followed.afterCommit;
        announce = followed.unfollowed;
        return done;
      });
      afterCommit();
    } else {
      applied = await updateJobs(this.db, batch);
      announce = batch.filter((_, i) => applied[i]).map((finish) => finish.transition);
    }
    await announceTransitions(this.db, announce!);
    return applied;
  }
}
