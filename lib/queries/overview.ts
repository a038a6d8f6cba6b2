import { type Db, HOUR_SECONDS, MINUTE_SECONDS } from '@/lib/db';
import { errorsIn, type Health, healthOf, TRIPPED_BREAKER_STATES } from '@/lib/model';
import { firingAlertRows } from './alerts';
import { readMinuteAggregates } from './minutes';
import { breakerOpenMs, effectiveRateLimit, type RateLimitSource, rateLimitPerMinute } from './policy';
import { loggedInWindow, RECENT_WINDOW_MS, recentFigures } from './recent';
import {
  type Aggregate,
  addAggregate,
  type BucketAggregate,
  emptyAggregate,
  readAggregates,
  resolutionFor,
} from './rollups';

const MINUTE_MS = MINUTE_SECONDS * 1000;
/** Sparkline points per tile: enough to show a shape, few enough to stay small over the wire. */
const SPARK_POINTS = 30;

/** An integration's summary over the window (`requests`: calls in it), with what its tile shows besides. */
export interface OverviewTile {
  id: string;
  slug: string;
  name: string;
  baseUrl: string;
  /** calls in the window */
  requests: number;
  errors: number;
  /** errors / requests, 0..1; null without traffic */
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /**
   * What the upstream did over the window, per attempt: attempts sent, the share it answered well (not a
   * 5xx, 429, network error or timeout) and their latency. Cache answers and short circuits send no
   * attempt, so they neither dilute nor flatter these (the callers' p50/p95/p99 above include them).
   */
  upstream: {
    attempts: number;
    successRate: number | null;
    p50Ms: number | null;
    p95Ms: number | null;
    p99Ms: number | null;
  };
  /** calls over the window answered without the upstream, or admitted as the breaker's probes */
  served: { shortCircuits: number; fromCache: number; stale: number; fallbacks: number; probes: number };
  /** cache hits / cacheable calls, null when nothing was cacheable */
  cacheHitRatio: number | null;
  /**
   * The busiest minute of the window (tokens taken: calls less cache hits and rejections) over the
   * effective limit per minute, 0..1+; null without a limit. Windows read from hourly rollups have no
   * minutes past the live hour: their busiest hour's average minute stands in (`rateLimitPeakOf`).
   */
  rateLimitUsage: number | null;
  /**
   * The effective limit (calls per minute): the lower of the configured one and the one the upstream last
   * announced to this instance; `rateLimitLimitOf` says which. Null when neither is known.
   */
  rateLimitPerMinute: number | null;
  rateLimitLimitOf: RateLimitSource;
  rateLimitPeakPerMinute: number;
  rateLimitPeakOf: 'minute' | 'hour';
  /** calls the limiter refused in the window: shown beside the usage, which cannot tell a learned quota */
  rateLimitRejections: number;
  /** requests per second, oldest first, SPARK_POINTS evenly spaced steps over the window */
  sparkline: number[];
  /** error rate over the last minute (RECENT_WINDOW_MS), which the health colour is judged on */
  recentErrorRate: number | null;
  /** upstream success (per attempt) over the last minute */
  recentUpstreamSuccessRate: number | null;
  recentShortCircuits: number;
  /** requests per second over the last minute, divided by the seconds it covers */
  recentRatePerSec: number;
  /** the seconds the last-minute figures cover (less than 60 while traffic is younger) */
  recentWindowSeconds: number;
  /**
   * The last stored state per instance whose breaker ever moved; instances never tripped are closed.
   * `since`: when the shown state began (ISO); `openMs`: the policy's open duration, after which a probe
   * is admitted, so a page can count both live.
   */
  breaker: {
    state: string;
    instances: number;
    tripped: number;
    reason: string | null;
    since: string | null;
    openMs: number;
  };
  health: Health;
  /** Firing, unsilenced alert instances of the integration (lib/queries/alerts.ts). */
  firingAlerts?: { name: string; severity?: string }[];
}

const RANK: Record<Health, number> = { bad: 0, warn: 1, ok: 2, idle: 3 };

/**
 * One tile per integration over [since, now]: totals, percentiles, cache and limiter use, a request-rate
 * sparkline, recent health and breaker state from the stored transitions (all instances). Sorted by
 * trouble (health), then volume. `only` reads one integration's tile (the integration page's KPI strip).
 */
export async function overviewTiles(
  db: Db,
  workspaceId: string,
  since: Date,
  only?: { slug: string },
  /** the limits (calls per minute, by integration slug) upstreams announced (lib/telemetry announcedRateLimits) */
  announced: ReadonlyMap<string, number> = new Map(),
): Promise<OverviewTile[]> {
  const to = new Date();
  const windowMs = to.getTime() - since.getTime();
  const resolution = resolutionFor(windowMs);
  // Minute buckets overlapping the rolling window: the one straddling its start counts pro rata.
  const recentFrom = new Date(Math.floor((to.getTime() - RECENT_WINDOW_MS) / MINUTE_MS) * MINUTE_MS);
  const [integrations, buckets, recent, transitions, firing, logged] = await Promise.all([
    db.integration.findMany({
      where: { workspaceId, ...(only && { slug: only.slug }) },
      select: { id: true, slug: true, name: true, baseUrl: true, policy: true },
    }),
    resolution === MINUTE_SECONDS
      ? readMinuteAggregates(db, { from: since, to })
      : readAggregates(db, { from: since, to }, resolution),
    // A window read from minute rollups already holds the last minutes; only an hourly one needs them read.
    resolution === MINUTE_SECONDS && since <= recentFrom ? null : readMinuteAggregates(db, { from: recentFrom, to }),
    db.breakerEvent.findMany({
      where: { integration: { workspaceId } },
      select: { integrationId: true, instance: true, toState: true, reason: true, at: true },
      orderBy: { at: 'desc' },
      distinct: ['integrationId', 'instance'],
    }),
    firingAlertRows(db, workspaceId),
    loggedInWindow(db, new Date(to.getTime() - RECENT_WINDOW_MS), to),
  ]);
  // Hourly reads start at the top of since's hour; the sparkline spans what was read.
  const start =
    resolution === HOUR_SECONDS
      ? Math.floor(since.getTime() / (HOUR_SECONDS * 1000)) * HOUR_SECONDS * 1000
      : since.getTime();
  const sparkStepMs = Math.max(resolution * 1000, (to.getTime() - start) / SPARK_POINTS);
  const sparkPoints = Math.ceil((to.getTime() - start) / sparkStepMs);
  const totals = new Map<string, Aggregate>();
  const peaks = new Map<string, number>();
  const liveHour = Math.floor(to.getTime() / (HOUR_SECONDS * 1000)) * HOUR_SECONDS * 1000;
  const sparks = new Map<string, number[]>();
  // Rollups are read for every workspace (their parsed buckets are cached and shared); only this one's count.
  const own = new Set(integrations.map((i) => i.id));
  for (const b of buckets) {
    if (!own.has(b.integrationId)) continue;
    let acc = totals.get(b.integrationId);
    if (!acc) {
      acc = emptyAggregate();
      totals.set(b.integrationId, acc);
      sparks.set(b.integrationId, new Array(sparkPoints).fill(0));
    }
    addAggregate(acc, b.aggregate);
    // An hourly read holds the live hour as minutes; the hours before it are whole hours.
    const bucketMinutes = resolution === HOUR_SECONDS && b.bucketStart < liveHour ? 60 : 1;
    const { requests, cacheHits, staleServed, rateLimitRejections } = b.aggregate;
    const tokens = requests - (cacheHits - staleServed) - rateLimitRejections;
    peaks.set(b.integrationId, Math.max(peaks.get(b.integrationId) ?? 0, tokens / bucketMinutes));
    const spark = sparks.get(b.integrationId)!;
    const index = Math.min(sparkPoints - 1, Math.max(0, Math.floor((b.bucketStart - start) / sparkStepMs)));
    spark[index] += b.aggregate.requests / (sparkStepMs / 1000);
  }
  const recentBuckets = new Map<string, BucketAggregate[]>();
  for (const b of recent ?? buckets.filter((x) => x.bucketStart >= recentFrom.getTime())) {
    if (!own.has(b.integrationId)) continue;
    const list = recentBuckets.get(b.integrationId) ?? [];
    list.push(b);
    recentBuckets.set(b.integrationId, list);
  }
  const tiles = integrations.map((integration): OverviewTile => {
    const acc = totals.get(integration.id) ?? emptyAggregate();
    const errors = errorsIn(acc.byOutcome);
    const cacheable = acc.cacheHits + acc.cacheMisses;
    const limit = effectiveRateLimit(rateLimitPerMinute(integration.policy), announced.get(integration.slug));
    const r = recentFigures(
      recentBuckets.get(integration.id) ?? [],
      logged.get(integration.id) ?? { errors: 0, firstCallAt: null },
      to.getTime(),
    );
    const states = transitions.filter((t) => t.integrationId === integration.id);
    const trippedStates = states.filter((t) => TRIPPED_BREAKER_STATES.has(t.toState));
    const worst = trippedStates.find((t) => t.toState !== 'half-open') ?? trippedStates[0];
    const firingAlerts = firing
      .filter((f) => f.integrationId === integration.id)
      .map((f) => ({ name: f.ruleName, severity: f.severity }));
    const health = healthOf(r.errorRate, trippedStates.length > 0);
    const shown = worst ?? states[0];
    return {
      id: integration.id,
      slug: integration.slug,
      name: integration.name,
      baseUrl: integration.baseUrl,
      requests: acc.requests,
      errors,
      errorRate: acc.requests ? errors / acc.requests : null,
      p50Ms: acc.histogram.quantile(0.5),
      p95Ms: acc.histogram.quantile(0.95),
      p99Ms: acc.histogram.quantile(0.99),
      upstream: {
        attempts: acc.attempts,
        successRate: acc.attempts ? 1 - acc.attemptErrors / acc.attempts : null,
        p50Ms: acc.attemptHistogram.quantile(0.5),
        p95Ms: acc.attemptHistogram.quantile(0.95),
        p99Ms: acc.attemptHistogram.quantile(0.99),
      },
      served: {
        shortCircuits: acc.shortCircuits,
        fromCache: acc.cacheHits - acc.staleServed,
        stale: acc.staleServed,
        fallbacks: acc.fallbacks,
        probes: acc.probes,
      },
      cacheHitRatio: cacheable ? acc.cacheHits / cacheable : null,
      rateLimitUsage: limit.perMinute ? (peaks.get(integration.id) ?? 0) / limit.perMinute : null,
      rateLimitPerMinute: limit.perMinute,
      rateLimitLimitOf: limit.of,
      rateLimitPeakPerMinute: peaks.get(integration.id) ?? 0,
      rateLimitPeakOf: resolution === HOUR_SECONDS ? 'hour' : 'minute',
      rateLimitRejections: acc.rateLimitRejections,
      sparkline: sparks.get(integration.id) ?? new Array(sparkPoints).fill(0),
      recentErrorRate: r.errorRate,
      recentUpstreamSuccessRate: r.upstreamSuccessRate,
      recentShortCircuits: r.shortCircuits,
      recentRatePerSec: r.ratePerSec,
      recentWindowSeconds: r.coveredSeconds,
      breaker: {
        state: worst?.toState ?? 'closed',
        instances: states.length,
        tripped: trippedStates.length,
        reason: worst?.reason ?? null,
        since: shown ? shown.at.toISOString() : null,
        openMs: breakerOpenMs(integration.policy),
      },
      firingAlerts,
      // The colour says now; a firing alert is shown beside it (its rule may look back 5 min or keep
      // firing after recovery), so a recovered integration turns green within a minute.
      health,
    };
  });
  return tiles.sort(
    (a, b) => RANK[a.health] - RANK[b.health] || b.requests - a.requests || a.name.localeCompare(b.name),
  );
}
