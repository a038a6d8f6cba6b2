import { setting } from '@/lib/server/env';

/** Job-level retry schedule in the spirit of Svix: seconds, then minutes, then hours. */
export const DEFAULT_BACKOFF_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000];

export interface JobConfig {
  /** delay before attempt n+1 after attempt n failed; the last entry repeats */
  backoffMs: number[];
  /** a claimed job not finished (nor its lease renewed) by then is claimed again: its worker died */
  leaseMs: number;
  concurrency: number;
  pollMs: number;
  maxBodyBytes: number;
}

/** Read at call time so tests can shrink the schedule through the server's environment. */
export function jobConfig(): JobConfig {
  const schedule = setting('BREAKWATER_JOB_BACKOFF_MS');
  return {
    backoffMs: schedule ? schedule.split(',').map((part) => Number(part.trim())) : DEFAULT_BACKOFF_MS,
    leaseMs: setting('BREAKWATER_JOB_LEASE_MS'),
    concurrency: setting('BREAKWATER_JOB_CONCURRENCY'),
    pollMs: setting('BREAKWATER_JOB_POLL_MS'),
    maxBodyBytes: setting('BREAKWATER_JOB_MAX_BODY_BYTES'),
  };
}

/**
 * The largest API request that carries a call's body (a job, a batch, an edited replay): the body limit
 * twice over, for JSON escaping, plus room for the other fields. Other JSON routes keep the API's 64 KiB.
 */
export function callRequestMaxBytes(): number {
  return 2 * jobConfig().maxBodyBytes + 64 * 1024;
}

export function backoffAfter(attempt: number, schedule: number[]): number {
  return schedule[Math.min(attempt, schedule.length) - 1] ?? schedule[schedule.length - 1] ?? 0;
}
