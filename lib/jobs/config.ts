/** Job-level retry schedule in the spirit of Svix: seconds, then minutes, then hours. */
export const DEFAULT_BACKOFF_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000];

/** A positive number from the environment, or the fallback when it is unset or not one. */
export function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
}

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
  const schedule = (process.env.BREAKWATER_JOB_BACKOFF_MS ?? '')
    .split(',')
    .map((part) => Number(part.trim()))
    .filter((ms) => Number.isFinite(ms) && ms >= 0 && String(ms) !== '');
  return {
    backoffMs: process.env.BREAKWATER_JOB_BACKOFF_MS && schedule.length ? schedule : DEFAULT_BACKOFF_MS,
    leaseMs: numberFromEnv('BREAKWATER_JOB_LEASE_MS', 5 * 60_000),
    concurrency: numberFromEnv('BREAKWATER_JOB_CONCURRENCY', 10),
    pollMs: numberFromEnv('BREAKWATER_JOB_POLL_MS', 500),
    maxBodyBytes: numberFromEnv('BREAKWATER_JOB_MAX_BODY_BYTES', 256 * 1024),
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
