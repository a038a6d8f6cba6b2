import { type Db, LatencyHistogram } from '@/lib/db';
import { ERROR_OUTCOMES } from '@/lib/model';

// Reads for alert evaluation and rule previews. They read minute rollups only: alert windows are minutes
// long, and minute rollups are kept for days (lib/telemetry retention), longer than any preview.

const MINUTE_MS = 60_000;
const ERRORS = new Set(ERROR_OUTCOMES);

/** Counters of one integration summed over some minute buckets. */
export interface AlertTotals {
  requests: number;
  errors: number;
  retries: number;
  cacheHits: number;
  cacheMisses: number;
  rateLimitRejections: number;
  histogram: LatencyHistogram;
}

export function emptyAlertTotals(): AlertTotals {
  return {
    requests: 0,
    errors: 0,
    retries: 0,
    cacheHits: 0,
    cacheMisses: 0,
    rateLimitRejections: 0,
    histogram: new LatencyHistogram(),
  };
}

export function addAlertTotals(into: AlertTotals, from: AlertTotals): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.retries += from.retries;
  into.cacheHits += from.cacheHits;
  into.cacheMisses += from.cacheMisses;
  into.rateLimitRejections += from.rateLimitRejections;
  into.histogram.merge(from.histogram);
}

const SELECT = {
  bucketStart: true,
  integrationId: true,
  outcomeClass: true,
  count: true,
  retries: true,
  cacheHits: true,
  cacheMisses: true,
  rateLimitRejections: true,
  latencyHist: true,
} as const;

/**
 * Minute rollups whose bucket starts in [from, to], summed per integration and bucket start (all
 * instances, outcomes and, unless `route` is given, routes).
 */
export async function alertMinuteTotals(
  db: Db,
  range: { from: Date; to: Date; integrationId?: string; route?: string | null },
): Promise<Map<string, Map<number, AlertTotals>>> {
  const rows = await db.metricRollup.findMany({
    where: {
      bucketSeconds: 60,
      bucketStart: { gte: range.from, lte: range.to },
      ...(range.integrationId ? { integrationId: range.integrationId } : {}),
      ...(range.route ? { route: range.route } : {}),
    },
    select: SELECT,
  });
  const out = new Map<string, Map<number, AlertTotals>>();
  for (const r of rows) {
    let buckets = out.get(r.integrationId);
    if (!buckets) {
      buckets = new Map();
      out.set(r.integrationId, buckets);
    }
    const at = r.bucketStart.getTime();
    let t = buckets.get(at);
    if (!t) {
      t = emptyAlertTotals();
      buckets.set(at, t);
    }
    t.requests += r.count;
    if (ERRORS.has(r.outcomeClass)) t.errors += r.count;
    t.retries += r.retries;
    t.cacheHits += r.cacheHits;
    t.cacheMisses += r.cacheMisses;
    t.rateLimitRejections += r.rateLimitRejections;
    t.histogram.merge(JSON.parse(r.latencyHist));
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
  query: { at: Date; windowMs: number; route?: string | null },
): Promise<Map<string, AlertTotals>> {
  const from = new Date(minuteOf(query.at.getTime() - query.windowMs));
  const minutes = await alertMinuteTotals(db, { from, to: query.at, route: query.route });
  const out = new Map<string, AlertTotals>();
  for (const [integrationId, buckets] of minutes) {
    const sum = emptyAlertTotals();
    for (const t of buckets.values()) addAlertTotals(sum, t);
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
  range: { from: Date; to: Date; integrationId?: string },
): Promise<BreakerChange[]> {
  const where = range.integrationId ? { integrationId: range.integrationId } : {};
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
