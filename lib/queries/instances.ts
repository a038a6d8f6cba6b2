import type { Db } from '@/lib/db';

/** One instance as its last heartbeat left it. */
export interface InstanceRow {
  id: string;
  version: string;
  startedAt: string;
  heartbeatAt: string;
  callsPerSecond: number;
  recorderDrops: number;
  redisDegraded: boolean;
  /** no heartbeat for `staleAfterMs`: the process died or cannot reach the database */
  stale: boolean;
}

/** Instances that heartbeat since `keepSinceMs` ago, newest first; those silent for `staleAfterMs` marked stale. */
export async function listInstances(
  db: Db,
  { now = new Date(), staleAfterMs, keepSinceMs }: { now?: Date; staleAfterMs: number; keepSinceMs: number },
): Promise<InstanceRow[]> {
  const rows = await db.serviceInstance.findMany({
    where: { heartbeatAt: { gte: new Date(now.getTime() - keepSinceMs) } },
    orderBy: [{ startedAt: 'desc' }, { id: 'asc' }],
  });
  return rows.map((row) => ({
    ...row,
    startedAt: row.startedAt.toISOString(),
    heartbeatAt: row.heartbeatAt.toISOString(),
    stale: now.getTime() - row.heartbeatAt.getTime() > staleAfterMs,
  }));
}
