import { type Db, DenseHistogram, HOUR_SECONDS, MINUTE_SECONDS, type RollupRow } from '@/lib/db';

const HOUR_MS = HOUR_SECONDS * 1000;
/** Buckets kept parsed per database: a day of hours and the live hour's minutes, for a few filters. */
const CACHED_BUCKETS = 400;

/**
 * The stored counters of one bucket (or several merged), with the latency histogram parsed: what every read
 * of rollups (dashboard, overview, alerts) sums into.
 */
export interface Aggregate {
  requests: number;
  byOutcome: Record<string, number>;
  retries: number;
  cacheHits: number;
  cacheMisses: number;
  rateLimitWaits: number;
  rateLimitRejections: number;
  /** the callers' latency: every call, cache answers and short circuits included */
  histogram: DenseHistogram;
  /** what the upstream did: attempts sent, those it failed, and their latency */
  attempts: number;
  attemptErrors: number;
  attemptHistogram: DenseHistogram;
  shortCircuits: number;
  staleServed: number;
  fallbacks: number;
  probes: number;
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
    attempts: 0,
    attemptErrors: 0,
    attemptHistogram: new DenseHistogram(),
    shortCircuits: 0,
    staleServed: 0,
    fallbacks: 0,
    probes: 0,
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
  into.attempts += from.attempts;
  into.attemptErrors += from.attemptErrors;
  into.attemptHistogram.add(from.attemptHistogram);
  into.shortCircuits += from.shortCircuits;
  into.staleServed += from.staleServed;
  into.fallbacks += from.fallbacks;
  into.probes += from.probes;
}

/** The counters of a stored row that an aggregate keeps. */
export type AggregatedRow = Pick<
  RollupRow,
  | 'outcomeClass'
  | 'count'
  | 'retries'
  | 'cacheHits'
  | 'cacheMisses'
  | 'rateLimitWaits'
  | 'rateLimitRejections'
  | 'latencyHist'
  | 'attempts'
  | 'attemptErrors'
  | 'attemptHist'
  | 'shortCircuits'
  | 'staleServed'
  | 'fallbacks'
  | 'probes'
>;

/** Counts a stored rollup row into an aggregate. */
export function addRow(into: Aggregate, r: AggregatedRow): void {
  into.requests += r.count;
  into.byOutcome[r.outcomeClass] = (into.byOutcome[r.outcomeClass] ?? 0) + r.count;
  into.retries += r.retries;
  into.cacheHits += r.cacheHits;
  into.cacheMisses += r.cacheMisses;
  into.rateLimitWaits += r.rateLimitWaits;
  into.rateLimitRejections += r.rateLimitRejections;
  into.histogram.addSerialized(JSON.parse(r.latencyHist));
  into.attempts += r.attempts;
  into.attemptErrors += r.attemptErrors;
  into.attemptHistogram.addSerialized(JSON.parse(r.attemptHist));
  into.shortCircuits += r.shortCircuits;
  into.staleServed += r.staleServed;
  into.fallbacks += r.fallbacks;
  into.probes += r.probes;
}

/** Windows up to this long are read from minute rollups; longer ones from hourly rollups. */
const MINUTE_WINDOW_MAX_MS = 6 * 3_600_000;

/** The rollup width a window of this length is read from. */
export function resolutionFor(windowMs: number): number {
  return windowMs > MINUTE_WINDOW_MAX_MS ? HOUR_SECONDS : MINUTE_SECONDS;
}

/** One bucket of one integration, all routes, outcomes and instances merged. */
export interface BucketAggregate {
  bucketStart: number;
  integrationId: string;
  aggregate: Aggregate;
}

/** The columns a read of rollups needs to sum them into aggregates per integration and bucket. */
export const ROLLUP_SELECT = {
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
  attempts: true,
  attemptErrors: true,
  attemptHist: true,
  shortCircuits: true,
  staleServed: true,
  fallbacks: true,
  probes: true,
} as const;

type Row = Pick<RollupRow, keyof typeof ROLLUP_SELECT>;

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
    addRow(entry.aggregate, r);
  }
  return [...byKey.values()];
}

interface CachedBucket {
  entries: BucketAggregate[];
  /** sum of counts and number of rows when parsed: any write to the bucket changes it */
  version: string;
}

const parsedBuckets = new WeakMap<Db, Map<string, CachedBucket>>();

function bucketCache(db: Db): Map<string, CachedBucket> {
  let cache = parsedBuckets.get(db);
  if (!cache) {
    cache = new Map();
    parsedBuckets.set(db, cache);
  }
  return cache;
}

/**
 * Per-bucket aggregates per integration over [from, to) (of one environment when given), read from minute rollups or from hourly ones.
 * Hourly reads start at the top of `from`'s hour. A latency histogram is a few KB of JSON, and parsing a
 * day of them is what makes an overview slow, so parsed buckets are kept; one grouped query (count sum
 * and row count per bucket) tells which were written since, and only those are read again. Exact: a
 * rollup write always changes its count. The hour being written now is read as its minutes, so a new
 * flush costs re-reading one small minute bucket rather than the whole hour.
 */
export async function readAggregates(
  db: Db,
  range: { from: Date; to: Date; integrationId?: string; environment?: string },
  resolutionSeconds: number,
): Promise<BucketAggregate[]> {
  const integration = {
    ...(range.integrationId !== undefined && { integrationId: range.integrationId }),
    ...(range.environment !== undefined && { environment: range.environment }),
  };
  if (resolutionSeconds < HOUR_SECONDS) {
    const rows = await db.metricRollup.findMany({
      where: { ...integration, bucketSeconds: { lt: HOUR_SECONDS }, bucketStart: { gte: range.from, lt: range.to } },
      select: ROLLUP_SELECT,
    });
    return aggregateRows(rows);
  }
  // Buckets are named one by one: `IN` seeks the (bucketStart, bucketSeconds) index per bucket, where a
  // range would walk every minute row in between.
  const liveHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const hours: Date[] = [];
  const minutes: Date[] = [];
  for (let hour = Math.floor(range.from.getTime() / HOUR_MS) * HOUR_MS; hour < range.to.getTime(); hour += HOUR_MS) {
    if (hour !== liveHour) hours.push(new Date(hour));
    else
      for (let minute = hour; minute < Math.min(range.to.getTime(), hour + HOUR_MS); minute += MINUTE_SECONDS * 1000)
        minutes.push(new Date(minute));
  }
  // Only non-empty arms: an always-false `IN ()` arm makes SQLite give up the index and scan the table.
  const buckets = (hourList: Date[], minuteList: Date[]) => ({
    ...integration,
    OR: [
      ...(hourList.length ? [{ bucketSeconds: HOUR_SECONDS, bucketStart: { in: hourList } }] : []),
      ...(minuteList.length ? [{ bucketSeconds: MINUTE_SECONDS, bucketStart: { in: minuteList } }] : []),
    ],
  });
  const versions = await db.metricRollup.groupBy({
    by: ['bucketStart', 'bucketSeconds'],
    where: buckets(hours, minutes),
    _sum: { count: true },
    _count: { _all: true },
  });
  const cache = bucketCache(db);
  const filter = `${range.integrationId ?? '*'}\u0000${range.environment ?? '*'}`;
  const keyOf = (seconds: number, start: number) => `${filter}\u0000${seconds}\u0000${start}`;
  const out: BucketAggregate[] = [];
  const stale = new Map<string, string>();
  const staleHours: Date[] = [];
  const staleMinutes: Date[] = [];
  for (const v of versions) {
    const key = keyOf(v.bucketSeconds, v.bucketStart.getTime());
    const version = `${v._sum.count ?? 0}:${v._count._all}`;
    const cached = cache.get(key);
    if (cached?.version === version) {
      out.push(...cached.entries);
      continue;
    }
    stale.set(key, version);
    (v.bucketSeconds === HOUR_SECONDS ? staleHours : staleMinutes).push(v.bucketStart);
  }
  if (stale.size === 0) return out;
  const rows = await db.metricRollup.findMany({
    where: buckets(staleHours, staleMinutes),
    select: { ...ROLLUP_SELECT, bucketSeconds: true },
  });
  const fresh = new Map<string, Row[]>([...stale.keys()].map((key) => [key, []]));
  for (const r of rows) fresh.get(keyOf(r.bucketSeconds, r.bucketStart.getTime()))?.push(r);
  for (const [key, bucketRows] of fresh) {
    const entries = aggregateRows(bucketRows);
    out.push(...entries);
    cache.delete(key);
    cache.set(key, { entries, version: stale.get(key)! });
    if (cache.size > CACHED_BUCKETS) cache.delete(cache.keys().next().value!);
  }
  return out;
}
