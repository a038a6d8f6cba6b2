import { startAlerting } from '@/lib/alerts';
import { ensureAdmin, recordPeerAddresses } from '@/lib/auth';
import { applyMigrations, databaseUrl, getDb, providerOf } from '@/lib/db';
import { outboundPolicy } from '@/lib/integrations';
import { log } from '@/lib/logging';
import { closeSharedState, sharedState } from '@/lib/shared-state';
import { flushTelemetry, getRecorder, reportSharedStateHealth, startTelemetry } from '@/lib/telemetry';
import { loadDataPlaneConfig, stopDataPlaneConfig } from './config';
import { validateEnv } from './env';
import { reportSharedStateDegraded, startHeartbeat } from './instances';
import { processSingleton } from './singleton';

type ShutdownStep = () => Promise<void>;

/**
 * Runs on SIGTERM/SIGINT before the final telemetry flush, so what it lets finish is still counted:
 * server.ts uses it to stop accepting connections and let in-flight requests end.
 */
export function beforeShutdown(step: ShutdownStep): void {
  processSingleton('shutdown-steps', (): ShutdownStep[] => []).push(step);
}

/** Migrate, make sure an admin exists, start the telemetry writer, and flush it on SIGTERM/SIGINT. */
export function startServerServices(): Promise<void> {
  // Before any request arrives: sign-in throttling keys callers by the socket's address (lib/auth).
  recordPeerAddresses();
  return processSingleton('started', async () => {
    // A refused variable stops the start here, naming it, instead of failing later; so does a malformed
    // BREAKWATER_OUTBOUND_ALLOW (its hosts and CIDRs are checked by the policy itself).
    validateEnv();
    outboundPolicy();
    const url = databaseUrl();
    const { applied } = await applyMigrations(url);
    log.info(
      { provider: providerOf(url), applied },
      applied.length ? 'migrations applied' : 'database schema up to date',
    );
    await ensureAdmin(getDb());
    startTelemetry();
    const shared = sharedState();
    if (shared) {
      reportSharedStateHealth(() => shared.redis.health);
      reportSharedStateDegraded(() => shared.redis.health.degraded);
      // Calls made before it connects use local state (and count as fallbacks); the start does not wait long.
      await shared.redis.ready(2000).catch((error) => log.warn({ err: error }, 'Redis not reachable at start'));
      log.info({ prefix: shared.redis.prefix }, 'sharing rate limits, breakers, cache and replays through Redis');
    }
    // The gateway and inbound webhooks serve integrations, tokens and sources from memory: loaded before
    // the first request, then kept current by a poll of the config version.
    await loadDataPlaneConfig();
    const stopAlerting = startAlerting(getRecorder().instance);
    startHeartbeat();
    // Webhook events follow their forward jobs' announcements: listening starts before the worker does; the
    // catch-up pass over unsettled events runs beside the worker instead of delaying it.
    void import('@/lib/webhooks')
      .then((webhooks) => {
        void webhooks.startForwardTracking(getDb());
        return import('@/lib/jobs');
      })
      .then((jobs) => jobs.startJobWorker());
    void import('@/lib/syncs').then((syncs) => syncs.startSyncRunner());
    void import('./retention').then((retention) => retention.startBackgroundRetention());
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        const steps = processSingleton('shutdown-steps', (): ShutdownStep[] => []);
        void Promise.allSettled(steps.map((step) => step()))
          .then(() => {
            log.info({ signal }, 'flushing telemetry before exit');
            return Promise.all([
              stopAlerting(),
              flushTelemetry(),
              stopDataPlaneConfig().then(closeSharedState),
              import('@/lib/webhooks').then((webhooks) => webhooks.flushWebhookCounts()),
            ]);
          })
          .catch((error) => log.error({ err: error }, 'final telemetry flush failed'))
          .finally(() => process.exit(0));
      });
    }
  });
}
