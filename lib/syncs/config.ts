import { setting } from '@/lib/server/env';

export interface SyncRunnerConfig {
  /** how often the runner looks for due syncs */
  pollMs: number;
  /**
   * A claimed sync whose lease is not renewed by then is claimed again (its runner died). Renewed before
   * every fetch and delivery, each of which is cut off at half the lease.
   */
  leaseMs: number;
  /** syncs run at once by one instance */
  concurrency: number;
}

/** Read at call time so tests can shorten the lease through the server's environment. */
export function syncRunnerConfig(): SyncRunnerConfig {
  return {
    pollMs: setting('BREAKWATER_SYNC_POLL_MS'),
    leaseMs: setting('BREAKWATER_SYNC_LEASE_MS'),
    concurrency: setting('BREAKWATER_SYNC_CONCURRENCY'),
  };
}
