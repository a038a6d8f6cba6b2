import type { Db } from '@/lib/db';
import { setting } from '@/lib/server/env';

const DAY_MS = 86_400_000;

/**
 * Deletes delivered items and finished runs older than BREAKWATER_RETENTION_SYNC_DAYS (30). The checkpoint,
 * not the stored items, is what keeps a sync from fetching a page twice, so old items can go.
 */
export async function pruneSyncHistory(db: Db, now = new Date()): Promise<{ items: number; runs: number }> {
  const cutoff = new Date(now.getTime() - setting('BREAKWATER_RETENTION_SYNC_DAYS') * DAY_MS);
  const items = await db.syncItem.deleteMany({ where: { receivedAt: { lt: cutoff } } });
  const runs = await db.syncRun.deleteMany({ where: { startedAt: { lt: cutoff }, state: { not: 'running' } } });
  return { items: items.count, runs: runs.count };
}
