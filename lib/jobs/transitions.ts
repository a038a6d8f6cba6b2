import type { Db } from '@/lib/db';
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

// On globalThis: Next bundles a module once per route, and the worker must see what the server registered.
const listeners = processSingleton('job-listeners', () => new Map<string, Listener>());

/**
 * Lets the domain that enqueues jobs of one source (the job's `source`, e.g. "webhook") follow their states
 * as they change, instead of polling the queue. Told after each change is written, in the process that made
 * it; a change made while nobody listened (a crash in between) is for the listener's own catch-up pass.
 */
export function onJobTransition(source: string, listener: Listener): void {
  listeners.set(source, listener);
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
