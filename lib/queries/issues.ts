import type { Db } from '@/lib/db';

/**
 * Failures grouped as Sentry groups events into issues: one row per integration, route, outcome and cause,
 * with its count and first and last seen, so 650 identical short-circuits read as one line. The cause of a
 * `circuit_open` call is what opened the breaker (its BreakerEvent reason and the last upstream failure
 * before it); of any other failure, the status or error the call ended with.
 */
export interface IssueQuery {
  from: Date;
  to: Date;
  /** integration slug */
  integration?: string;
  limit?: number;
}

/** One grouped count as the call log's group-by returns it. */
export interface IssueGroup {
  integrationId: string;
  route: string;
  outcome: string;
  status: number | null;
  errorType: string | null;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
}

export interface Issue {
  integration: { slug: string; name: string };
  route: string;
  outcome: string;
  /** "HTTP 500", "timeout_attempt", "after 5 consecutive failures (last attempt: HTTP 500)" */
  cause: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  /** the explorer's filter for this issue's calls */
  filter: { integration: string; route: string; outcome: string; status?: number; from: string; to: string };
}

/** The opening of a breaker that refused calls: when, why, and the upstream's last failure before it. */
export interface BreakerOpening {
  at: Date;
  reason: string | null;
  lastFailure: { status: number | null; errorType: string | null } | null;
}

const DEFAULT_LIMIT = 100;
const MAX_GROUPS = 1000;
const LOOK_BACK_MS = 10 * 60_000;

function failureText(status: number | null, errorType: string | null): string {
  return status !== null ? `HTTP ${status}` : (errorType ?? 'unknown error');
}

/** The cause of a group of calls; a short-circuit's is the opening of the breaker that refused them. */
export function issueCause(group: Pick<IssueGroup, 'outcome' | 'status' | 'errorType'>, opening?: BreakerOpening) {
  if (group.outcome !== 'circuit_open') return failureText(group.status, group.errorType);
  if (!opening) return 'breaker open (no opening recorded in the range)';
  const last = opening.lastFailure
    ? ` (last attempt: ${failureText(opening.lastFailure.status, opening.lastFailure.errorType)})`
    : '';
  return `after ${opening.reason ?? 'the breaker opened'}${last}`;
}

/** Failed calls of the workspace in the range, grouped, the most recent issue first. */
export async function listIssues(db: Db, workspaceId: string, query: IssueQuery): Promise<Issue[]> {
  const integrations = await db.integration.findMany({
    where: { workspaceId, ...(query.integration && { slug: query.integration }) },
    select: { id: true, slug: true, name: true },
  });
  if (integrations.length === 0) return [];
  const byId = new Map(integrations.map((i) => [i.id, i]));
  const rows = await db.callLog.groupBy({
    by: ['integrationId', 'route', 'outcome', 'status', 'errorType'],
    where: {
      integrationId: { in: integrations.map((i) => i.id) },
      startedAt: { gte: query.from, lte: query.to },
      outcome: { not: 'success' },
    },
    _count: { _all: true },
    _min: { startedAt: true },
    _max: { startedAt: true },
    orderBy: { _max: { startedAt: 'desc' } },
    take: MAX_GROUPS,
  });
  const groups: IssueGroup[] = rows.map((r) => ({
    integrationId: r.integrationId,
    route: r.route,
    outcome: r.outcome,
    status: r.status,
    errorType: r.errorType,
    count: r._count._all,
    firstSeen: r._min.startedAt!,
    lastSeen: r._max.startedAt!,
  }));
  const merged = mergeGroups(groups).slice(0, query.limit ?? DEFAULT_LIMIT);
  const openings = new Map<string, BreakerOpening | undefined>();
  for (const group of merged)
    if (group.outcome === 'circuit_open' && !openings.has(group.integrationId))
      openings.set(group.integrationId, await openingBefore(db, group.integrationId, group.lastSeen));
  return merged.map((group) => {
    const integration = byId.get(group.integrationId)!;
    return {
      integration: { slug: integration.slug, name: integration.name },
      route: group.route,
      outcome: group.outcome,
      cause: issueCause(group, openings.get(group.integrationId)),
      count: group.count,
      firstSeen: group.firstSeen,
      lastSeen: group.lastSeen,
      filter: {
        integration: integration.slug,
        route: group.route,
        outcome: group.outcome,
        ...(group.status !== null && { status: group.status }),
        from: group.firstSeen.toISOString(),
        to: group.lastSeen.toISOString(),
      },
    };
  });
}

/**
 * Short-circuits differ only by the error text they carry; one issue per integration, route and outcome
 * for them (their cause is the breaker's), one per status or error for the rest. Most recent first.
 */
export function mergeGroups(groups: readonly IssueGroup[]): IssueGroup[] {
  const merged = new Map<string, IssueGroup>();
  for (const group of groups) {
    const short = group.outcome === 'circuit_open';
    const key = [
      group.integrationId,
      group.route,
      group.outcome,
      short ? '' : group.status,
      short ? '' : group.errorType,
    ].join('\u0000');
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...group, ...(short && { status: null, errorType: null }) });
    else {
      seen.count += group.count;
      if (group.firstSeen < seen.firstSeen) seen.firstSeen = group.firstSeen;
      if (group.lastSeen > seen.lastSeen) seen.lastSeen = group.lastSeen;
    }
  }
  return [...merged.values()].sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime() || b.count - a.count);
}

/** The breaker's last opening at or before `at`, with the last failed attempt that preceded it. */
async function openingBefore(db: Db, integrationId: string, at: Date): Promise<BreakerOpening | undefined> {
  const event = await db.breakerEvent.findFirst({
    where: { integrationId, toState: 'open', at: { lte: at } },
    orderBy: { at: 'desc' },
    select: { at: true, reason: true },
  });
  if (!event) return undefined;
  // The failures that opened it are the moments before: a bounded look back keeps this an index range scan.
  const since = new Date(event.at.getTime() - LOOK_BACK_MS);
  const failure = await db.callAttempt.findFirst({
    where: {
      call: { integrationId, startedAt: { gte: since, lte: event.at } },
      startedAt: { lte: event.at },
      OR: [{ status: { gte: 500 } }, { errorType: { not: null } }],
    },
    orderBy: { startedAt: 'desc' },
    select: { status: true, errorType: true },
  });
  return { at: event.at, reason: event.reason, lastFailure: failure };
}
