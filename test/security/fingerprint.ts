import { createHash } from 'node:crypto';
import type { Db } from '@/lib/db';

/**
 * A cheap fingerprint of everything an API request can write: row counts of the written tables and the
 * configuration rows themselves (updatedAt included). Equal before and after a refused request means it
 * wrote nothing. Background writers (telemetry, queue samples, runners) touch none of these.
 */
export async function writtenState(db: Db): Promise<string> {
  const [tokens, sessions, jobs, replayRuns, webhookEvents, integrations, sources, syncs, rules, channels, silences] =
    await Promise.all([
      db.apiToken.count(),
      db.session.count(),
      db.job.count(),
      db.replayRun.count(),
      db.webhookEvent.count(),
      db.integration.findMany({ orderBy: { id: 'asc' } }),
      db.webhookSource.findMany({ orderBy: { id: 'asc' } }),
      db.sync.findMany({
        orderBy: { id: 'asc' },
        select: { id: true, slug: true, path: true, intervalSeconds: true, sink: true, enabled: true },
      }),
      db.alertRule.findMany({ orderBy: { id: 'asc' } }),
      db.alertChannel.findMany({ orderBy: { id: 'asc' } }),
      db.alertSilence.findMany({ orderBy: { id: 'asc' } }),
    ]);
  const state = {
    tokens,
    sessions,
    jobs,
    replayRuns,
    webhookEvents,
    integrations,
    sources,
    syncs,
    rules,
    channels,
    silences,
  };
  return createHash('sha256')
    .update(JSON.stringify(state, (_key, value) => (typeof value === 'bigint' ? String(value) : value)))
    .digest('hex');
}
