import type { Db } from '@/lib/db';
import { decodeCursor, encodeCursor } from './cursor';

/**
 * What an attempt went through, mid-incident: a call ends `circuit_open` or `fallback` once its retries
 * are spent, yet its attempts show what the upstream answered.
 */
export const ATTEMPT_FAILURES = ['5xx', '4xx', 'timeout'] as const;
export type AttemptFailure = (typeof ATTEMPT_FAILURES)[number];

const ATTEMPT_WHERE = {
  '5xx': { status: { gte: 500, lte: 599 } },
  '4xx': { status: { gte: 400, lte: 499 } },
  // Per-attempt and overall timeouts (`timeout_attempt`, `timeout_overall`) and connect timeouts.
  timeout: { errorType: { contains: 'timeout' } },
} as const;

/** What the explorer can filter the call log on; every field is optional and they combine with AND. */
export interface CallFilter {
  /** integration slug */
  integration?: string;
  outcome?: string;
  status?: number;
  method?: string;
  /** substring of the route template */
  route?: string;
  from?: Date;
  to?: Date;
  minDurationMs?: number;
  /** a call's id or the x-request-id it carried (a caller's id may be on several calls) */
  requestId?: string;
  upstreamRequestId?: string;
  traceId?: string;
  /** only the replays of this call (its request id) */
  replayOf?: string;
  /** production | sandbox: the integration's target the call went to */
  environment?: string;
  /** `only`: replays alone; `exclude`: original calls alone */
  replays?: 'only' | 'exclude';
  /** calls with at least one attempt that got a 5xx, a 4xx, or timed out (whatever the call's outcome) */
  attempt?: AttemptFailure;
  /** opaque, from a previous page's nextCursor */
  cursor?: string;
  limit?: number;
}

export interface CallRow {
  /** the call's own key (its page's address) */
  id: string;
  /** the x-request-id it carried: `id` unless that was a caller's id; null on rows older than the column */
  requestId: string | null;
  integration: { slug: string; name: string };
  startedAt: Date;
  durationMs: number;
  method: string;
  route: string;
  path: string;
  status: number | null;
  outcome: string;
  errorType: string | null;
  attemptCount: number;
  upstreamRequestId: string | null;
  traceId: string | null;
  keptBecause: string;
  /** the call this one replays, if it is a replay */
  replayOfId: string | null;
  /** production | sandbox */
  environment: string;
  /** primary | secondary: the credential that served it (rotation); null without a credential */
  credential: string | null;
  /** answered without the upstream: from the cache, or short-circuited by the open breaker */
  servedBy: 'cache' | 'breaker' | null;
}

export interface CallPage {
  calls: CallRow[];
  /** pass back as `cursor` for the next (older) page; null on the last page */
  nextCursor: string | null;
}

const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

const ROW_SELECT = {
  id: true,
  requestId: true,
  startedAt: true,
  durationMs: true,
  method: true,
  route: true,
  path: true,
  status: true,
  outcome: true,
  errorType: true,
  attemptCount: true,
  upstreamRequestId: true,
  traceId: true,
  keptBecause: true,
  replayOfId: true,
  environment: true,
  credential: true,
  integration: { select: { slug: true, name: true } },
} as const;

/**
 * Newest calls first, matching the filter, paginated by keyset on (startedAt, id): stable while new calls
 * arrive, and each page is an index range scan rather than an ever-growing offset.
 */
export async function searchCalls(db: Db, workspaceId: string, filter: CallFilter): Promise<CallPage> {
  const limit = Math.min(filter.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  const startedAt = { ...(filter.from && { gte: filter.from }), ...(filter.to && { lte: filter.to }) };
  const after = filter.cursor ? decodeCursor(filter.cursor) : null;
  const rows = await db.callLog.findMany({
    where: {
      integration: { workspaceId, ...(filter.integration && { slug: filter.integration }) },
      ...(filter.outcome && { outcome: filter.outcome }),
      ...(filter.environment && { environment: filter.environment }),
      ...(filter.status !== undefined && { status: filter.status }),
      ...(filter.method && { method: filter.method.toUpperCase() }),
      ...(filter.route && { route: { contains: filter.route } }),
      ...((filter.from || filter.to) && { startedAt }),
      ...(filter.minDurationMs !== undefined && { durationMs: { gte: filter.minDurationMs } }),
      ...(filter.upstreamRequestId && { upstreamRequestId: filter.upstreamRequestId }),
      ...(filter.traceId && { traceId: filter.traceId.toLowerCase() }),
      ...(filter.replays && { replayOfId: filter.replays === 'only' ? { not: null } : null }),
      // Narrower than `replays`, so it wins when both are given.
      ...(filter.replayOf && { replayOfId: filter.replayOf }),
      ...(filter.attempt && { attempts: { some: ATTEMPT_WHERE[filter.attempt] } }),
      AND: [
        filter.requestId ? { OR: [{ id: filter.requestId }, { requestId: filter.requestId }] } : {},
        after ? { OR: [{ startedAt: { lt: after.at } }, { startedAt: after.at, id: { lt: after.id } }] } : {},
      ],
    },
    select: ROW_SELECT,
    orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    calls: page.map((row) => ({ ...row, servedBy: servedBy(row) })),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].startedAt, page[page.length - 1].id) : null,
  };
}

export interface CallAttemptView {
  number: number;
  startedAt: Date;
  durationMs: number;
  status: number | null;
  errorType: string | null;
  delayBeforeMs: number;
  delayReason: string | null;
}

/** What a resilience policy did with the call, read from what the log stores. */
export interface PolicyDecision {
  policy: 'cache' | 'rate limit' | 'breaker' | 'bulkhead' | 'retry';
  decision: string;
}

/** A replay as its original's page lists it. */
export interface ReplayRow {
  id: string;
  startedAt: Date;
  status: number | null;
  outcome: string;
}

/** How many replays a call's page lists (newest first); the explorer's replayOf filter shows them all. */
export const REPLAYS_SHOWN = 50;

export interface CallDetail extends CallRow {
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  requestBody: string | null;
  responseBody: string | null;
  /** the newest replays of this call, up to REPLAYS_SHOWN */
  replays: ReplayRow[];
  attempts: CallAttemptView[];
  decisions: PolicyDecision[];
}

const CACHEABLE_METHODS = new Set(['GET', 'HEAD']);
/** Outcomes in which no attempt was made because a policy refused the call before it went upstream. */
const REFUSED = new Set(['circuit_open', 'rate_limited', 'bulkhead_rejected', 'cancelled', 'timeout']);

function servedBy(call: { outcome: string; attemptCount: number }): CallRow['servedBy'] {
  if (call.attemptCount > 0) return null;
  if (call.outcome === 'circuit_open') return 'breaker';
  return REFUSED.has(call.outcome) ? null : 'cache';
}

function parseHeaders(text: string): Record<string, string> {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function describeDecisions(
  call: { method: string; outcome: string; attemptCount: number; keptBecause: string },
  attempts: CallAttemptView[],
  breakerAt: { toState: string; reason: string | null; at: Date } | null,
): PolicyDecision[] {
  const upstreamLimited = attempts.some(
    (a) => a.delayReason === 'x-ratelimit-reset' || a.delayReason === 'retry-after',
  );
  const limiter =
    call.outcome === 'rate_limited'
      ? 'rejected: no token left for this caller'
      : call.keptBecause === 'rate_limited'
        ? 'admitted after waiting for a token'
        : upstreamLimited
          ? 'admitted; retries paced by the upstream (Retry-After / rate-limit headers)'
          : 'admitted (no wait recorded)';
  const state = breakerAt ? `${breakerAt.toState}${breakerAt.reason ? ` (${breakerAt.reason})` : ''}` : 'closed';
  const breaker =
    call.outcome === 'circuit_open' ? `rejected: circuit ${state}` : `admitted; breaker state at the time: ${state}`;
  const cache =
    servedBy(call) === 'cache'
      ? 'answered from cache, no upstream call'
      : CACHEABLE_METHODS.has(call.method.toUpperCase())
        ? 'not answered from cache: went upstream'
        : `not cacheable (${call.method})`;
  const retries =
    attempts.length > 1 ? `${attempts.length - 1} retr${attempts.length === 2 ? 'y' : 'ies'}` : 'no retry';
  const decisions: PolicyDecision[] = [
    { policy: 'cache', decision: cache },
    { policy: 'rate limit', decision: limiter },
    { policy: 'breaker', decision: breaker },
    { policy: 'retry', decision: retries },
  ];
  if (call.outcome === 'bulkhead_rejected')
    decisions.push({ policy: 'bulkhead', decision: 'rejected: too many calls in flight and the queue was full' });
  return decisions;
}

/**
 * The id of the call a link names: a call's own id, else the newest call that carried it as its
 * x-request-id (a caller that resends its own id has one call per send); null for a call of another workspace.
 */
export async function findCallId(db: Db, workspaceId: string, idOrRequestId: string): Promise<string | null> {
  const byId = await db.callLog.findFirst({
    where: { id: idOrRequestId, integration: { workspaceId } },
    select: { id: true },
  });
  if (byId) return byId.id;
  const byRequestId = await db.callLog.findFirst({
    where: { requestId: idOrRequestId, integration: { workspaceId } },
    select: { id: true },
    orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
  });
  return byRequestId?.id ?? null;
}

/**
 * One call with its redacted metadata and bodies, every attempt, and what each policy decided; `id` is a
 * call's id or a request id (then the newest call that carried it, see findCallId).
 */
export async function callDetail(db: Db, workspaceId: string, idOrRequestId: string): Promise<CallDetail | null> {
  const id = await findCallId(db, workspaceId, idOrRequestId);
  if (id === null) return null;
  const call = await db.callLog.findUnique({
    where: { id },
    select: {
      ...ROW_SELECT,
      integrationId: true,
      requestHeaders: true,
      responseHeaders: true,
      requestBody: true,
      responseBody: true,
      attempts: {
        select: {
          number: true,
          startedAt: true,
          durationMs: true,
          status: true,
          errorType: true,
          delayBeforeMs: true,
          delayReason: true,
        },
        orderBy: { number: 'asc' },
      },
    },
  });
  if (!call) return null;
  const [breakerAt, replays] = await Promise.all([
    db.breakerEvent.findFirst({
      where: { integrationId: call.integrationId, at: { lte: call.startedAt } },
      select: { toState: true, reason: true, at: true },
      orderBy: { at: 'desc' },
    }),
    db.callLog.findMany({
      where: { replayOfId: id },
      select: { id: true, startedAt: true, status: true, outcome: true },
      orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
      take: REPLAYS_SHOWN,
    }),
  ]);
  const { integrationId: _, ...rest } = call;
  return {
    ...rest,
    servedBy: servedBy(call),
    requestHeaders: parseHeaders(call.requestHeaders),
    responseHeaders: parseHeaders(call.responseHeaders),
    replays,
    decisions: describeDecisions(call, call.attempts, breakerAt),
  };
}
