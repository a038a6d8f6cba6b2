import { type Db, MINUTE_SECONDS } from '@/lib/db';
import { type Aggregate, addAggregate, addRow, emptyAggregate, ROLLUP_SELECT } from './rollups';
import { integrationIn, type WorkspaceScope } from './scope';

// Reads for alert evaluation and rule previews. They read minute rollups only: alert windows are minutes
// long, and minute rollups are kept for days (lib/telemetry retention), longer than any preview.

const MINUTE_MS = MINUTE_SECONDS * 1000;

/**
 * Minute rollups whose bucket starts in [from, to], summed per integration and bucket start (all
 * instances, outcomes and, unless `route` is given, routes).
 */
export async function alertMinuteTotals(
  db: Db,
  workspaceId: WorkspaceScope,
  range: { from: Date; to: Date; integrationId?: string; route?: string | null },
): Promise<Map<string, Map<number, Aggregate>>> {
  const rows = await db.metricRollup.findMany({
    where: {
      bucketSeconds: MINUTE_SECONDS,
      bucketStart: { gte: range.from, lte: range.to },
      ...(workspaceId !== null && { integration: integrationIn(workspaceId) }),
      ...(range.integrationId ? { integrationId: range.integrationId } : {}),
      ...(range.route ? { route: range.route } : {}),
    },
    select: ROLLUP_SELECT,
  });
  const out = new Map<string, Map<number, Aggregate>>();
  for (const r of rows) {
    let buckets = out.get(r.integrationId);
    if (!buckets) {
      buckets = new Map();
      out.set(r.integrationId, buckets);
    }
    const at = r.bucketStart.getTime();
    let t = buckets.get(at);
    if (!t) {
      t = emptyAggregate();
      buckets.set(at, t);
    }
    addRow(t, r);
  }
  return out;
}

/**
 * Per integration, the totals of every minute bucket that overlaps the window ending at `at`: a 5 min
 * window reads five whole minutes and the current partial one. Reading only buckets that start inside the
 * window would leave a 1 min window with nothing but a just-begun minute, so it would flap at every
 * minute boundary.
 */
export async function alertWindowTotals(
  db: Db,
  workspaceId: WorkspaceScope,
  query: { at: Date; windowMs: number; route?: string | null },
): Promise<Map<string, Aggregate>> {
  const from = new Date(minuteOf(query.at.getTime() - query.windowMs));
  const minutes = await alertMinuteTotals(db, workspaceId, { from, to: query.at, route: query.route });
  const out = new Map<string, Aggregate>();
  for (const [integrationId, buckets] of minutes) {
    const sum = emptyAggregate();
    for (const t of buckets.values()) addAggregate(sum, t);
    out.set(integrationId, sum);
  }
  return out;
}

/** A breaker transition of one integration instance. */
export interface BreakerChange {
  integrationId: string;
  instance: string;
  at: number;
  toState: string;
}

/**
 * Breaker transitions of [from, to], plus the last one before `from` per integration instance (the state
 * the range opens in), oldest first.
 */
export async function breakerChanges(
  db: Db,
  workspaceId: WorkspaceScope,
  range: { from: Date; to: Date; integrationId?: string },
): Promise<BreakerChange[]> {
  const where = {
    ...(range.integrationId ? { integrationId: range.integrationId } : {}),
    ...(workspaceId !== null && { integration: integrationIn(workspaceId) }),
  };
  const select = { integrationId: true, instance: true, at: true, toState: true } as const;
  const [before, inside] = await Promise.all([
    db.breakerEvent.findMany({
      where: { ...where, at: { lt: range.from } },
      select,
      orderBy: { at: 'desc' },
      distinct: ['integrationId', 'instance'],
    }),
    db.breakerEvent.findMany({
      where: { ...where, at: { gte: range.from, lte: range.to } },
      select,
      orderBy: { at: 'asc' },
    }),
  ]);
  return [...before.reverse(), ...inside].map((e) => ({ ...e, at: e.at.getTime() }));
}

/** Minute bucket start of a time, for callers stepping through minute totals. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}
