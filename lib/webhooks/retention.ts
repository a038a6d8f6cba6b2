import type { Db } from '@/lib/db';
import { setting } from '@/lib/server/env';

const DAY_MS = 86_400_000;

/**
 * Deletes settled events (forwarded or failed) received more than BREAKWATER_RETENTION_WEBHOOK_EVENT_DAYS
 * ago (30), and per-minute counts older than BREAKWATER_RETENTION_WEBHOOK_COUNT_DAYS
 * (90). An event still being forwarded is kept. A sender redelivering an event after its row is gone would
 * have it forwarded again; senders retry for hours or days, not a month.
 */
export async function pruneWebhookHistory(db: Db, now = new Date()): Promise<{ events: number; counts: number }> {
  const eventCutoff = new Date(now.getTime() - setting('BREAKWATER_RETENTION_WEBHOOK_EVENT_DAYS') * DAY_MS);
  const countCutoff = new Date(now.getTime() - setting('BREAKWATER_RETENTION_WEBHOOK_COUNT_DAYS') * DAY_MS);
  const events = await db.webhookEvent.deleteMany({
    where: { receivedAt: { lt: eventCutoff }, state: { in: ['forwarded', 'failed'] } },
  });
  const counts = await db.webhookCount.deleteMany({ where: { bucket: { lt: countCutoff } } });
  return { events: events.count, counts: counts.count };
}
