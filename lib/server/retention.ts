import { pruneAuditEvents } from '@/lib/audit';
import { type Db, getDb } from '@/lib/db';
import { pruneFinishedJobs, pruneQueueSamples, pruneReplayRuns } from '@/lib/jobs';
import { log } from '@/lib/logging';
import { setting } from '@/lib/server/env';
import { pruneSyncHistory } from '@/lib/syncs';
import { pruneWebhookHistory } from '@/lib/webhooks';
import { processSingleton } from './singleton';

/** Keeps the history of background work bounded, as lib/telemetry's retention does for calls and rollups. */
export async function pruneBackgroundHistory(db: Db, now = new Date()) {
  const jobs = await pruneFinishedJobs(db, now);
  const queueSamples = await pruneQueueSamples(db, now);
  const replayRuns = await pruneReplayRuns(db, now);
  const syncs = await pruneSyncHistory(db, now);
  const webhooks = await pruneWebhookHistory(db, now);
  const auditEvents = await pruneAuditEvents(db, now);
  return {
    jobs,
    queueSamples,
    replayRuns,
    syncItems: syncs.items,
    syncRuns: syncs.runs,
    webhookEvents: webhooks.events,
    webhookCounts: webhooks.counts,
    auditEvents,
  };
}

/** Every BREAKWATER_RETENTION_INTERVAL_MS (10 min). Deleting is idempotent, so every instance may run it. */
export function startBackgroundRetention(): void {
  processSingleton('background-retention', () =>
    setInterval(() => {
      pruneBackgroundHistory(getDb())
        .then((deleted) => log.debug(deleted, 'background history pruned'))
        .catch((error) => log.warn({ err: error }, 'background history not pruned; trying again later'));
    }, setting('BREAKWATER_RETENTION_INTERVAL_MS')).unref(),
  );
}
