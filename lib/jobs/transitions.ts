import type { Db, SqliteBulkTransaction } from '@/lib/db';
import { log } from '@/lib/logging';
import { processSingleton } from '@/lib/server/singleton';

/** A job whose state just changed, as its new row says: enough to mirror it without reading it again. */
export interface JobTransition {
  id: string;
  /** queued | running | done | dead | discarded */
  state: string;
  attempts: number;
  finishedAt: Date | null;
  lastError: string | null;
}

export const TRANSITION_SELECT = {
  id: true,
  source: true,
  state: true,
  attempts: true,
  finishedAt: true,
  lastError: true,
};

type Listener = (db: Db, transitions: JobTransition[]) => Promise<void>;
/**
 * SQLite: the listener's writes made inside the bulk transaction that records the transitions, so both commit
 * at once (one sync instead of two); returns what to do once that transaction committed (counting, say).
 */
export type SqliteFollower = (db: Db, tx: SqliteBulkTransaction, transitions: JobTransition[]) => () => void;

// On globalThis: Next bundles a module once per route, and the worker must see what the server registered.
const listeners = processSingleton('job-listeners', () => new Map<string, Listener>());
const sqliteFollowers = processSingleton('job-sqlite-followers', () => new Map<string, SqliteFollower>());

/**
 * Lets the domain that enqueues jobs of one source (the job's `source`, e.g. "webhook") follow their states
 * as they change, instead of polling the queue. Told after each change is written, in the process that made
 * it; a change made while nobody listened (a crash in between) is for the listener's own catch-up pass.
 */
export function onJobTransition(source: string, listener: Listener, sqliteFollower?: SqliteFollower): void {
  listeners.set(source, listener);
  if (sqliteFollower) sqliteFollowers.set(source, sqliteFollower);
}

/**
 * Runs, inside an open SQLite bulk transaction, the followers of the sources that have one; returns the jobs
 * whose source has none (to announce after the commit) and what to run once the transaction committed.
 */
export function followInTransaction(
  db: Db,
  tx: SqliteBulkTransaction,
  jobs: (JobTransition & { source: string })[],
): { unfollowed: (JobTransition & { source: string })[]; afterCommit: () => void } {
  const bySource = new Map<string, JobTransition[]>();
  const unfollowed: (JobTransition & { source: string })[] = [];
  for (const job of jobs) {
    if (!sqliteFollowers.has(job.source)) {
      unfollowed.push(job);
      continue;
    }
    const { source, ...transition } = job;
    const list = bySource.get(source) ?? [];
    list.push(transition);
    bySource.set(source, list);
  }
  const effects = [...bySource].map(([source, transitions]) => sqliteFollowers.get(source)!(db, tx, transitions));
  return {
    unfollowed,
    afterCommit: () => {
      for (const effect of effects) effect();
    },
  };
}

/** Tells each source's listener of its jobs' changes. A listener's failure is logged, never the caller's. */
export async function announceTransitions(db: Db, jobs: (JobTransition & { source: string })[]): Promise<void> {
  const bySource = new Map<string, JobTransition[]>();
  for (const { source, ...job } of jobs) {
    if (!listeners.has(source)) continue;
    const list = bySource.get(source) ?? [];
    list.push(job);
    bySource.set(source, list);
  }
  for (const [source, transitions] of bySource) {
    try {
      await listeners.get(source)!(db, transitions);
    } catch (error) {
      log.warn({ err: error, source, jobs: transitions.length }, 'a job state listener failed');
    }
  }
}
