import type { Db } from '@/lib/db';
import { DenseHistogram } from './dense-histogram';

/** Rollups are written at two widths at once (lib/telemetry): one minute, and one hour for long ranges. */
export const MINUTE_SECONDS = 60;
export const HOUR_SECONDS = 3600;
const HOUR_MS = HOUR_SECONDS * 1000;
/** Hours kept parsed per database and filter: a day and a bit, what the 24 h overview reads. */
const CACHED_HOURS = 30;

/** The stored counters of one bucket (or several merged), with the latency histogram parsed. */
export interface Aggregate {
  requests: number;
  byOutcome: Record<string, number>;
  retries: number;
  cacheHits: number;
  cacheMisses: number;
  rateLimitWaits: number;
  rateLimitRejections: number;
  histogram: DenseHistogram;
}

export function emptyAggregate(): Aggregate {
  return {
    requests: 0,
    byOutcome: {},
    retries: 0,
    cacheHits: 0,
    cacheMisses: 0,
    rateLimitWaits: 0,
    rateLimitRejections: 0,
    histogram: new DenseHistogram(),
  };
}

export function addAggregate(into: Aggregate, from: Aggregate): void {
  into.requests += from.requests;
  for (const outcome in from.byOutcome)
    into.byOutcome[outcome] = (into.byOutcome[outcome] ?? 0) + from.byOutcome[outcome];
  into.retries += from.retries;
  into.cacheHits += from.cacheHits;
  into.cacheMisses += from.cacheMisses;
  into.rateLimitWaits += from.rateLimitWaits;
  into.rateLimitRejections += from.rateLimitRejections;
  into.histogram.add(from.histogram);
}

/** One bucket of one integration, all routes, outcomes and instances merged. */
export interface BucketAggregate {
  bucketStart: number;
  integrationId: string;
  aggregate: Aggregate;
}

const SELECT = {
  bucketStart: true,
  integrationId: true,
  outcomeClass: true,
  count: true,
  retries: true,
  cacheHits: true,
  cacheMisses: true,
  rateLimitWaits: true,
  rateLimitRejections: true,
  latencyHist: true,
} as const;

type Row = {
  bucketStart: Date;
  integrationId: string;
  outcomeClass: string;
  count: number;
  retries: number;
  cacheHits: number;
  cacheMisses: number;
  rateLimitWaits: number;
  rateLimitRejections: number;
  latencyHist: string;
};

function aggregateRows(rows: Row[]): BucketAggregate[] {
  const byKey = new Map<string, BucketAggregate>();
  for (const r of rows) {
    const bucketStart = r.bucketStart.getTime();
    const key = `${bucketStart}\u0000${r.integrationId}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = { bucketStart, integrationId: r.integrationId, aggregate: emptyAggregate() };
      byKey.set(key, entry);
    }
    const a = entry.aggregate;
    a.requests += r.count;
    a.byOutcome[r.outcomeClass] = (a.byOutcome[r.outcomeClass] ?? 0) + r.count;
    a.retries += r.retries;
    a.cacheHits += r.cacheHits;
    a.cacheMisses += r.cacheMisses;
    a.rateLimitWaits += r.rateLimitWaits;
    a.rateLimitRejections += r.rateLimitRejections;
    a.histogram.addSerialized(JSON.parse(r.latencyHist));
  }
  return [...byKey.values()];
}

interface CachedHour {
  entries: BucketAggregate[];
  /** sum of counts and number of rows when parsed: any write to the hour changes it */
  version: string;
}

const parsedHours = new WeakMap<Db, Map<string, CachedHour>>();

function hourCache(db: Db): Map<string, CachedHour> {
  let cache = parsedHours.get(db);
  if (!cache) {
    cache = new Map();
    parsedHours.set(db, cache);
  }
  return cache;
}

/**
 * Per-bucket aggregates per integration over [from, to), read from minute rollups or from hourly ones.
 * Hourly reads start at the top of `from`'s hour. A latency histogram is a few KB of JSON, and parsing a
 * day of them is what makes an overview slow, so parsed hours are kept; one grouped query (count sum and
 * row count per hour) tells which hours were written since, and only those are read again. Exact: a
 * rollup write always changes its count.
 */
export async function readAggregates(
  db: Db,
  range: { from: Date; to: Date; integrationId?: string },
  resolutionSeconds: number,
): Promise<BucketAggregate[]> {
  const integration = range.integrationId === undefined ? {} : { integrationId: range.integrationId };
  if (resolutionSeconds < HOUR_SECONDS) {
    const rows = await db.metricRollup.findMany({
      where: { ...integration, bucketSeconds: { lt: HOUR_SECONDS }, bucketStart: { gte: range.from, lt: range.to } },
      select: SELECT,
    });
    return aggregateRows(rows);
  }
  // Hours are named one by one: `IN` seeks the bucketStart index per hour, where a range would also walk
  // every minute row in between (the index does not lead with bucketSeconds).
  const allHours: Date[] = [];
  for (let hour = Math.floor(range.from.getTime() / HOUR_MS) * HOUR_MS; hour < range.to.getTime(); hour += HOUR_MS)
    allHours.push(new Date(hour));
  const where = { ...integration, bucketSeconds: HOUR_SECONDS, bucketStart: { in: allHours } };
  const versions = await db.metricRollup.groupBy({
    by: ['bucketStart'],
    where,
    _sum: { count: true },
    _count: { _all: true },
  });
  const cache = hourCache(db);
  const filter = range.integrationId ?? '*';
  const out: BucketAggregate[] = [];
  const stale = new Map<number, string>();
  for (const v of versions) {
    const hour = v.bucketStart.getTime();
    const version = `${v._sum.count ?? 0}:${v._count._all}`;
    const cached = cache.get(`${filter}\u0000${hour}`);
    if (cached?.version === version) out.push(...cached.entries);
    else stale.set(hour, version);
  }
  if (stale.size === 0) return out;
  const hours = [...stale.keys()].map((hour) => new Date(hour));
  const rows = await db.metricRollup.findMany({
    where: { ...where, bucketStart: { in: hours } },
    select: SELECT,
  });
  const byHour = new Map<number, BucketAggregate[]>(hours.map((d) => [d.getTime(), []]));
  for (const entry of aggregateRows(rows)) byHour.get(entry.bucketStart)?.push(entry);
  for (const [hour, entries] of byHour) {
    out.push(...entries);
    const key = `${filter}\u0000${hour}`;
    cache.delete(key);
    cache.set(key, { entries, version: stale.get(hour)! });
    if (cache.size > CACHED_HOURS * 4) cache.delete(cache.keys().next().value!);
  }
  return out;
}
