import { type Db, HOUR_SECONDS, MINUTE_SECONDS } from '@/lib/db';
import { errorsIn, type Health, healthOf, TRIPPED_BREAKER_STATES } from '@/lib/model';
import { firingAlertRows } from './alerts';
import { readMinuteAggregates } from './minutes';
import { rateLimitPerMinute } from './policy';
import { type Aggregate, addAggregate, emptyAggregate, readAggregates, resolutionFor } from './rollups';

/** Health is judged on recent traffic, as the default alert rule does (error rate over 5 min). */
const RECENT_MS = 5 * 60_000;
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
  /** cache hits / cacheable calls, null when nothing was cacheable */
  cacheHitRatio: number | null;
  /** calls per minute over the configured limit per minute, 0..1+; null without a limit */
  rateLimitUsage: number | null;
  rateLimitRejections: number;
  /** requests per second, oldest first, SPARK_POINTS evenly spaced steps over the window */
  sparkline: number[];
  /** error rate over the last 5 minutes, which the health colour is judged on */
  recentErrorRate: number | null;
  /** requests per second over the last 5 minutes */
  recentRatePerSec: number;
  /** the last stored state per instance whose breaker ever moved; instances never tripped are closed */
  breaker: { state: string; instances: number; tripped: number; reason: string | null };
  health: Health;
  /** Firing, unsilenced alert instances of the integration (lib/queries/alerts.ts). */
  firingAlerts?: { name: string; severity?: string }[];
}

const RANK: Record<Health, number> = { bad: 0, warn: 1, ok: 2, idle: 3 };

/**
 * One tile per integration over [since, now]: totals, percentiles, cache and limiter use, a request-rate
 * sparkline, recent health and breaker state from the stored transitions (all instances). Sorted by
 * trouble (health), then volume.
 */
export async function overviewTiles(db: Db, workspaceId: string, since: Date): Promise<OverviewTile[]> {
  const to = new Date();
  const windowMs = to.getTime() - since.getTime();
  const resolution = resolutionFor(windowMs);
  const recentFrom = new Date(to.getTime() - RECENT_MS);
  const [integrations, buckets, recent, transitions, firing] = await Promise.all([
    db.integration.findMany({
      where: { workspaceId },
      select: { id: true, slug: true, name: true, baseUrl: true, policy: true },
    }),
    resolution === MINUTE_SECONDS
      ? readMinuteAggregates(db, { from: since, to })
      : readAggregates(db, { from: since, to }, resolution),
    // A window read from minute rollups already holds the last 5 minutes; only an hourly one needs them read.
    resolution === MINUTE_SECONDS && since <= recentFrom ? null : readMinuteAggregates(db, { from: recentFrom, to }),
    db.breakerEvent.findMany({
      where: { integration: { workspaceId } },
      select: { integrationId: true, instance: true, toState: true, reason: true },
      orderBy: { at: 'desc' },
      distinct: ['integrationId', 'instance'],
    }),
    firingAlertRows(db, workspaceId),
  ]);
  // Hourly reads start at the top of since's hour; the sparkline spans what was read.
  const start =
    resolution === HOUR_SECONDS
      ? Math.floor(since.getTime() / (HOUR_SECONDS * 1000)) * HOUR_SECONDS * 1000
      : since.getTime();
  const sparkStepMs = Math.max(resolution * 1000, (to.getTime() - start) / SPARK_POINTS);
  const sparkPoints = Math.ceil((to.getTime() - start) / sparkStepMs);
  const totals = new Map<string, Aggregate>();
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
    const spark = sparks.get(b.integrationId)!;
    const index = Math.min(sparkPoints - 1, Math.max(0, Math.floor((b.bucketStart - start) / sparkStepMs)));
    spark[index] += b.aggregate.requests / (sparkStepMs / 1000);
  }
  const recentByIntegration = new Map<string, { requests: number; errors: number }>();
  for (const b of recent ?? buckets.filter((x) => x.bucketStart >= recentFrom.getTime())) {
    if (!own.has(b.integrationId)) continue;
    const r = recentByIntegration.get(b.integrationId) ?? { requests: 0, errors: 0 };
    r.requests += b.aggregate.requests;
    r.errors += errorsIn(b.aggregate.byOutcome);
    recentByIntegration.set(b.integrationId, r);
  }
  const tiles = integrations.map((integration): OverviewTile => {
    const acc = totals.get(integration.id) ?? emptyAggregate();
    const errors = errorsIn(acc.byOutcome);
    const cacheable = acc.cacheHits + acc.cacheMisses;
    const perMinute = rateLimitPerMinute(integration.policy);
    const minutes = windowMs / 60_000;
    const r = recentByIntegration.get(integration.id);
    const recentErrorRate = r?.requests ? r.errors / r.requests : null;
    const states = transitions.filter((t) => t.integrationId === integration.id);
    const trippedStates = states.filter((t) => TRIPPED_BREAKER_STATES.has(t.toState));
    const worst = trippedStates.find((t) => t.toState !== 'half-open') ?? trippedStates[0];
    const firingAlerts = firing
      .filter((f) => f.integrationId === integration.id)
      .map((f) => ({ name: f.ruleName, severity: f.severity }));
    const health = healthOf(recentErrorRate, trippedStates.length > 0);
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
      cacheHitRatio: cacheable ? acc.cacheHits / cacheable : null,
      rateLimitUsage: perMinute ? acc.requests / (perMinute * minutes) : null,
      rateLimitRejections: acc.rateLimitRejections,
      sparkline: sparks.get(integration.id) ?? new Array(sparkPoints).fill(0),
      recentErrorRate,
      recentRatePerSec: (r?.requests ?? 0) / (RECENT_MS / 1000),
      breaker: {
        state: worst?.toState ?? 'closed',
        instances: states.length,
        tripped: trippedStates.length,
        reason: worst?.reason ?? null,
      },
      firingAlerts,
      // A firing alert is trouble even when the last five minutes look fine (a p99 rule, say).
      health: firingAlerts.length > 0 && (health === 'ok' || health === 'idle') ? 'warn' : health,
    };
  });
  return tiles.sort(
    (a, b) => RANK[a.health] - RANK[b.health] || b.requests - a.requests || a.name.localeCompare(b.name),
  );
}
