import type { Db, SqliteStatement, SqliteStatementResult } from '@/lib/db';
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
 * SQLite: the listener's writes as statements of the writer-thread transaction that records the transitions,
 * so both commit at once (one sync instead of two): `statements[i]` follow `transitions[i]` and run only if
 * that job's update applied. `afterCommit` gets their results (`results[i]`, empty runs where skipped) once
 * the transaction committed (to count, say).
 */
export type SqliteFollower = (
  db: Db,
  transitions: JobTransition[],
) => { statements: SqliteStatement[][]; afterCommit(results: SqliteStatementResult[][]): void };

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
 * The statements of the followers of the sources that have one, for the writer-thread transaction that
 * records the jobs' updates: a job's follow-up runs only if the statement at its `gate` (its guarded update)
 * changed a row (its index in that transaction, whose update statements come before these). Returns
 * the jobs whose source has none (to announce after the commit, if applied) and what to run once the
 * transaction committed, with the results of these statements.
 */
export function followInTransaction<T extends JobTransition & { source: string; gate: number }>(
  db: Db,
  jobs: T[],
): {
  statements: SqliteStatement[];
  unfollowed: T[];
  afterCommit: (results: SqliteStatementResult[]) => void;
} {
  const bySource = new Map<string, T[]>();
  const unfollowed: T[] = [];
  for (const job of jobs) {
    if (!sqliteFollowers.has(job.source)) {
      unfollowed.push(job);
      continue;
    }
    const list = bySource.get(job.source) ?? [];
    list.push(job);
    bySource.set(job.source, list);
  }
  const statements: SqliteStatement[] = [];
  const effects: { counts: number[][]; afterCommit: (results: SqliteStatementResult[][]) => void }[] = [];
  for (const [source, list] of bySource) {
    const followed = sqliteFollowers.get(source)!(
      db,
      list.map(({ source: _source, gate: _gate, ...transition }) => transition),
    );
    // Where each transition's statements land among the returned ones.
    const counts = list.map((job, i) => {
      const own = followed.statements[i] ?? [];
      const at = own.map((_, k) => statements.length + k);
      statements.push(...own.map((statement) => ({ ...statement, onlyIfChanged: job.gate })));
      return at;
    });
    effects.push({ counts, afterCommit: followed.afterCommit });
  }
  return {
    statements,
    unfollowed,
    afterCommit: (results) => {
      for (const { counts, afterCommit } of effects) afterCommit(counts.map((at) => at.map((k) => results[k])));
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
