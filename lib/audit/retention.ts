import type { Db } from '@/lib/db';
import { setting } from '@/lib/server/env';

const DAY_MS = 24 * 3600_000;

/** Deletes audit events older than BREAKWATER_AUDIT_RETENTION_DAYS (365); the only way a row ever goes. */
export async function pruneAuditEvents(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - setting('BREAKWATER_AUDIT_RETENTION_DAYS') * DAY_MS);
  const { count } = await db.auditEvent.deleteMany({ where: { at: { lt: cutoff } } });
  return count;
}
