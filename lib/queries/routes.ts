import { type Db, DenseHistogram } from '@/lib/db';
import { errorsIn } from '@/lib/model';
import { resolutionFor } from './rollups';

/**
 * One integration's calls per route over a range, from its rollups (exact counts, whatever the call log
 * sampled): what the integration page's route table shows.
 */
export interface RouteRow {
  route: string;
  calls: number;
  /** share (0..1) of calls that failed as their callers saw it (ERROR_OUTCOMES), null without calls */
  callerErrorRate: number | null;
  /**
   * share (0..1) of attempts sent to the upstream that failed there (5xx, 429, timeout, network): a retried call
   * counts each attempt, cache hits and short-circuits sent none. Null without attempts.
   */
  upstreamErrorRate: number | null;
  /** p95 (ms) of the attempts sent to the upstream (cache hits and short-circuits sent none) */
  upstreamP95Ms: number | null;
  retriesPerCall: number | null;
  /** calls refused before the upstream: open breaker, rate limiter, full bulkhead */
  rejections: number;
}

const REFUSED = ['circuit_open', 'rate_limited', 'bulkhead_rejected'];
/** A route table is for reading: the busiest routes; the cardinality cap keeps the rest small anyway. */
const MAX_ROWS = 500;

interface Tally {
  byOutcome: Record<string, number>;
  calls: number;
  retries: number;
  attempts: number;
  attemptErrors: number;
  attemptHistogram: DenseHistogram;
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export async function routeTable(db: Db, integrationId: string, range: { from: Date; to: Date }): Promise<RouteRow[]> {
  const rows = await db.metricRollup.findMany({
    where: {
      integrationId,
      bucketSeconds: resolutionFor(range.to.getTime() - range.from.getTime()),
      bucketStart: { gte: range.from, lt: range.to },
    },
    select: {
      route: true,
      outcomeClass: true,
      count: true,
      retries: true,
      attempts: true,
      attemptErrors: true,
      attemptHist: true,
    },
  });
  const byRoute = new Map<string, Tally>();
  for (const r of rows) {
    let tally = byRoute.get(r.route);
    if (!tally) {
      tally = {
        byOutcome: {},
        calls: 0,
        retries: 0,
        attempts: 0,
        attemptErrors: 0,
        attemptHistogram: new DenseHistogram(),
      };
      byRoute.set(r.route, tally);
    }
    tally.calls += r.count;
    tally.byOutcome[r.outcomeClass] = (tally.byOutcome[r.outcomeClass] ?? 0) + r.count;
    tally.retries += r.retries;
    tally.attempts += r.attempts;
    tally.attemptErrors += r.attemptErrors;
    tally.attemptHistogram.addSerialized(JSON.parse(r.attemptHist));
  }
  return [...byRoute.entries()]
    .map(([route, t]) => {
      const refused = REFUSED.reduce((n, outcome) => n + (t.byOutcome[outcome] ?? 0), 0);
      return {
        route,
        calls: t.calls,
        callerErrorRate: ratio(errorsIn(t.byOutcome), t.calls),
        upstreamErrorRate: ratio(t.attemptErrors, t.attempts),
        upstreamP95Ms: t.attemptHistogram.quantile(0.95),
        retriesPerCall: ratio(t.retries, t.calls),
        rejections: refused,
      };
    })
    .sort((a, b) => b.calls - a.calls || a.route.localeCompare(b.route))
    .slice(0, MAX_ROWS);
}
