import { type Db, HOUR_SECONDS, MINUTE_SECONDS } from '@/lib/db';
import { errorsIn } from '@/lib/model';
import { effectiveRateLimit, type RateLimitSource, rateLimitPerMinute } from './policy';
import { type Aggregate, addAggregate, emptyAggregate, readAggregates } from './rollups';

/** Five one-minute points (the finest rollups): a zoom into an incident still draws a line. */
export const MIN_RANGE_MS = 5 * 60_000;
export const MAX_RANGE_MS = 30 * 86_400_000;
/** Steps a chart may use; the smallest that keeps a range within MAX_POINTS is chosen. */
const STEPS_SECONDS = [60, 300, 900, 3600, 6 * 3600, 86_400];
const MAX_POINTS = 300;
/** Ranges longer than this read hourly rollups (and so use steps of an hour or more). */
const MINUTE_RESOLUTION_MAX_MS = 6 * 3_600_000;

export interface Step {
  stepSeconds: number;
  /** width of the rollups read: 60 or 3600 */
  resolutionSeconds: number;
}

/** The automatic step for a range: minute rollups up to 6 h, hourly rollups beyond. */
export function stepFor(rangeMs: number): Step {
  const hourly = rangeMs > MINUTE_RESOLUTION_MAX_MS;
  const candidates = hourly ? STEPS_SECONDS.filter((s) => s >= HOUR_SECONDS) : STEPS_SECONDS;
  const stepSeconds = candidates.find((s) => rangeMs / (s * 1000) <= MAX_POINTS) ?? candidates[candidates.length - 1];
  return { stepSeconds, resolutionSeconds: hourly ? HOUR_SECONDS : MINUTE_SECONDS };
}

export interface TimeseriesPoint {
  at: Date;
  requests: number;
  byOutcome: Record<string, number>;
  errors: number;
  /** 0..1, null without traffic */
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  cacheHits: number;
  cacheMisses: number;
  /** hits / (hits + misses), null when nothing was cacheable */
  cacheHitRatio: number | null;
  rateLimitWaits: number;
  rateLimitRejections: number;
  /** requests in the step over what the configured limit allows in it, 0..1; null without a limit */
  rateLimitUsage: number | null;
  retries: number;
  retriesPerCall: number | null;
  /** requests per second over the step */
  ratePerSec: number;
}

export interface BreakerInterval {
  instance: string;
  state: string;
  from: Date;
  to: Date;
  /** why the breaker entered this state */
  reason: string | null;
}

export interface Timeseries extends Step {
  integrationId?: string;
  from: Date;
  to: Date;
  points: TimeseriesPoint[];
  breaker: BreakerInterval[];
  /** the integration's effective rate limit (the lower of the configured and the announced one), if any */
  rateLimitPerMinute: number | null;
  rateLimitLimitOf: RateLimitSource;
}

/**
 * The dashboard's time series for one integration (or all, without `integrationId`) over [from, to]:
 * per step, request rate by outcome, error rate, p50/p95/p99 from merged histograms, cache hit ratio,
 * rate-limit waits/rejections and usage, retries per call; plus breaker state intervals per instance.
 * The range is clamped to 5 min..30 d.
 */
export async function timeseries(
  db: Db,
  workspaceId: string,
  query: {
    integrationId?: string;
    from?: Date;
    to?: Date;
    environment?: string;
    /** the limit (calls per minute) the integration's upstream announced (lib/telemetry announcedRateLimits) */
    announcedPerMinute?: number;
  },
): Promise<Timeseries> {
  // Only the workspace's integrations: one of another workspace reads as one without traffic.
  const ids = new Set(
    (
      await db.integration.findMany({
        where: { workspaceId, ...(query.integrationId !== undefined && { id: query.integrationId }) },
        select: { id: true },
      })
    ).map((i) => i.id),
  );
  const to = query.to ?? new Date();
  let fromMs = query.from?.getTime() ?? to.getTime() - 86_400_000;
  fromMs = Math.min(to.getTime() - MIN_RANGE_MS, Math.max(to.getTime() - MAX_RANGE_MS, fromMs));
  const step = stepFor(to.getTime() - fromMs);
  const stepMs = step.stepSeconds * 1000;
  const first = Math.floor(fromMs / stepMs) * stepMs;
  const from = new Date(first);
  const where = { integrationId: { in: [...ids] } };
  const [rows, events, integration] = await Promise.all([
    readAggregates(
      db,
      { from, to, integrationId: query.integrationId, environment: query.environment },
      step.resolutionSeconds,
    ),
    breakerEvents(db, where, from, to),
    query.integrationId === undefined
      ? undefined
      : db.integration.findFirst({ where: { id: query.integrationId, workspaceId }, select: { policy: true } }),
  ]);
  const buckets: Aggregate[] = [];
  const count = Math.ceil((to.getTime() - first) / stepMs);
  for (let i = 0; i < count; i++) buckets.push(emptyAggregate());
  for (const r of rows) {
    if (!ids.has(r.integrationId)) continue;
    const acc = buckets[Math.floor((r.bucketStart - first) / stepMs)];
    if (acc) addAggregate(acc, r.aggregate);
  }
  const limit = integration
    ? effectiveRateLimit(rateLimitPerMinute(integration.policy), query.announcedPerMinute)
    : { perMinute: null, of: null };
  const perMinute = limit.perMinute;
  const points = buckets.map((acc, i): TimeseriesPoint => {
    const cacheable = acc.cacheHits + acc.cacheMisses;
    const errors = errorsIn(acc.byOutcome);
    return {
      at: new Date(first + i * stepMs),
      requests: acc.requests,
      byOutcome: acc.byOutcome,
      errors,
      errorRate: acc.requests ? errors / acc.requests : null,
      p50Ms: acc.histogram.quantile(0.5),
      p95Ms: acc.histogram.quantile(0.95),
      p99Ms: acc.histogram.quantile(0.99),
      cacheHits: acc.cacheHits,
      cacheMisses: acc.cacheMisses,
      cacheHitRatio: cacheable ? acc.cacheHits / cacheable : null,
      rateLimitWaits: acc.rateLimitWaits,
      rateLimitRejections: acc.rateLimitRejections,
      rateLimitUsage: perMinute ? acc.requests / (perMinute * (step.stepSeconds / 60)) : null,
      retries: acc.retries,
      retriesPerCall: acc.requests ? acc.retries / acc.requests : null,
      ratePerSec: acc.requests / step.stepSeconds,
    };
  });
  return {
    ...step,
    integrationId: query.integrationId,
    from,
    to,
    points,
    breaker: breakerIntervals(events, from, to),
    rateLimitPerMinute: perMinute,
    rateLimitLimitOf: limit.of,
  };
}

interface StoredTransition {
  integrationId: string;
  instance: string;
  at: Date;
  toState: string;
  reason: string | null;
}

/** Transitions inside the range, plus the last one before it per instance (the state the range opens in). */
async function breakerEvents(
  db: Db,
  where: { integrationId: string | { in: string[] } },
  from: Date,
  to: Date,
): Promise<StoredTransition[]> {
  const select = { integrationId: true, instance: true, at: true, toState: true, reason: true } as const;
  const [inside, before] = await Promise.all([
    db.breakerEvent.findMany({ where: { ...where, at: { gte: from, lte: to } }, select, orderBy: { at: 'asc' } }),
    db.breakerEvent.findMany({
      where: { ...where, at: { lt: from } },
      select,
      orderBy: { at: 'desc' },
      distinct: ['integrationId', 'instance'],
    }),
  ]);
  return [...before.map((e) => ({ ...e, at: from })), ...inside];
}

/**
 * Closed/open/half-open bands per integration instance (breakers are per instance). Time before an
 * instance's first known transition is left out rather than guessed.
 */
export function breakerIntervals(events: StoredTransition[], from: Date, to: Date): BreakerInterval[] {
  const byInstance = new Map<string, StoredTransition[]>();
  for (const e of events) {
    const key = `${e.integrationId}\u0000${e.instance}`;
    const list = byInstance.get(key) ?? [];
    list.push(e);
    byInstance.set(key, list);
  }
  const intervals: BreakerInterval[] = [];
  for (const list of byInstance.values()) {
    list.sort((a, b) => a.at.getTime() - b.at.getTime());
    list.forEach((e, i) => {
      const end = i + 1 < list.length ? list[i + 1].at : to;
      const start = e.at < from ? from : e.at;
      if (end > start || i + 1 === list.length)
        intervals.push({ instance: e.instance, state: e.toState, from: start, to: end, reason: e.reason });
    });
  }
  return intervals.sort((a, b) => a.from.getTime() - b.from.getTime());
}
