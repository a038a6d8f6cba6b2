import { type Db, MINUTE_SECONDS } from '@/lib/db';
import { ERROR_OUTCOMES } from '@/lib/model';
import type { BucketAggregate } from './rollups';

/** What a tile's health and headline figures are judged on: the last minute, labelled as such. */
export const RECENT_WINDOW_MS = 60_000;
const MINUTE_MS = MINUTE_SECONDS * 1000;

/** One integration over the rolling window [now − RECENT_WINDOW_MS, now]. */
export interface RecentFigures {
  /** calls in the window (minute rollups, the one straddling its start counted pro rata) */
  requests: number;
  /** failed calls in the window, exact: every failed call is in the call log */
  errors: number;
  /** errors / requests, null without traffic */
  errorRate: number | null;
  /** attempts the upstream answered well / attempts sent, null when none was sent */
  upstreamSuccessRate: number | null;
  shortCircuits: number;
  /** the seconds the window actually covers: less than its length while traffic is younger than it */
  coveredSeconds: number;
  /** requests / coveredSeconds */
  ratePerSec: number;
}

/** What the call log says of one integration in the window: its failed calls and its first call. */
export interface LoggedInWindow {
  errors: number;
  firstCallAt: number | null;
}

/**
 * The rolling window from minute buckets and the call log. Minute buckets cannot be cut at an arbitrary
 * second, so a bucket straddling the window's start counts for the share of it inside the window (the
 * sliding-window counter of rate limiters); errors come from the call log, which keeps every failed call,
 * so they leave the window exactly 60 s after they happened and a recovered integration reads 0 % then.
 * Rates are divided by the time covered: from the window's start, or from the first call in it when
 * traffic began later (a fresh instance), never by a fixed length.
 */
export function recentFigures(
  buckets: readonly BucketAggregate[],
  logged: LoggedInWindow,
  now: number,
  windowMs = RECENT_WINDOW_MS,
): RecentFigures {
  const from = now - windowMs;
  let requests = 0;
  let attempts = 0;
  let attemptErrors = 0;
  let shortCircuits = 0;
  for (const b of buckets) {
    const end = Math.min(b.bucketStart + MINUTE_MS, now);
    if (end <= from || b.bucketStart >= now) continue;
    const share = b.bucketStart >= from ? 1 : (end - from) / (end - b.bucketStart);
    requests += b.aggregate.requests * share;
    attempts += b.aggregate.attempts * share;
    attemptErrors += b.aggregate.attemptErrors * share;
    shortCircuits += b.aggregate.shortCircuits * share;
  }
  // Pro rata counts are estimates; the logged errors are not, and are calls too.
  requests = Math.max(requests, logged.errors);
  const start = logged.firstCallAt === null ? from : Math.max(from, logged.firstCallAt);
  // At least a second, so one call just now is not a rate of thousands per second.
  const coveredSeconds = Math.max(1, (now - start) / 1000);
  return {
    requests: Math.round(requests),
    errors: logged.errors,
    errorRate: requests > 0 ? logged.errors / requests : null,
    upstreamSuccessRate: attempts > 0 ? Math.max(0, 1 - attemptErrors / attempts) : null,
    shortCircuits: Math.round(shortCircuits),
    coveredSeconds,
    ratePerSec: requests / coveredSeconds,
  };
}

/** Failed calls and the first call of each integration in [from, to], from the call log. */
export async function loggedInWindow(db: Db, from: Date, to: Date): Promise<Map<string, LoggedInWindow>> {
  const where = { startedAt: { gte: from, lte: to } };
  const [errors, first] = await Promise.all([
    db.callLog.groupBy({
      by: ['integrationId'],
      where: { ...where, outcome: { in: [...ERROR_OUTCOMES] } },
      _count: { _all: true },
    }),
    db.callLog.groupBy({ by: ['integrationId'], where, _min: { startedAt: true } }),
  ]);
  const out = new Map<string, LoggedInWindow>();
  for (const f of first) out.set(f.integrationId, { errors: 0, firstCallAt: f._min.startedAt?.getTime() ?? null });
  for (const e of errors) {
    const entry = out.get(e.integrationId) ?? { errors: 0, firstCallAt: null };
    entry.errors = e._count._all;
    out.set(e.integrationId, entry);
  }
  return out;
}
