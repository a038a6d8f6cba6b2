import type { Db } from '@/lib/db';
import { processSingleton } from '@/lib/server/singleton';
import type { TokenOwner } from './tokens';

/**
 * Each token is a caller of its own at the gateway: a token bucket per (token, integration) when the token
 * has a rate limit, and a count of its calls per (token, integration, UTC month), checked against its
 * monthly quota. Both live in memory on the hot path; the counts are written in batches (flushTokenUsage,
 * with the token last uses) and read back at start and after each batch, so a restart does not reset a
 * quota and the instances sharing a database add up their calls.
 */

export interface CallerRefusal {
  error: string;
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

interface UsageState {
  buckets: Map<string, Bucket>;
  /** calls per usage key: the stored count (as last read) plus those made here since */
  counts: Map<string, number>;
  /** calls made here not yet written */
  pending: Map<string, number>;
}

const state = processSingleton<UsageState>('token-usage', () => ({
  buckets: new Map(),
  counts: new Map(),
  pending: new Map(),
}));

const MAX_BUCKETS = 10_000;
const SEP = '\n';

/** The month utcMonth answered last, and the instants it spans: every gateway call asks, nearly always the same. */
let lastMonth = { from: 0, until: 0, label: '' };

/** The UTC month of an instant, as stored: "2026-12". */
export function utcMonth(now: number = Date.now()): string {
  if (now >= lastMonth.from && now < lastMonth.until) return lastMonth.label;
  const date = new Date(now);
  const from = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const until = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  lastMonth = { from, until, label: date.toISOString().slice(0, 7) };
  return lastMonth.label;
}

/** When the quotas of the month holding `now` reset: the first instant of the next UTC month. */
export function quotaResetsAt(now: number = Date.now()): Date {
  const date = new Date(now);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
}

const usageKey = (tokenId: string, integration: string, month: string) =>
  `${tokenId}${SEP}${integration}${SEP}${month}`;

/** The rate limit (calls per minute) a token has for an integration, if any. */
export function tokenRateLimit(owner: Pick<TokenOwner, 'rateLimits'>, slug: string): number | null {
  return owner.rateLimits?.[slug] ?? owner.rateLimits?.['*'] ?? null;
}

function takeFromBucket(tokenId: string, slug: string, perMinute: number, now: number): number {
  const key = `${tokenId}${SEP}${slug}`;
  const perMs = perMinute / 60_000;
  let bucket = state.buckets.get(key);
  if (!bucket) {
    // Bounded: idle buckets are full ones, the same as missing ones.
    if (state.buckets.size >= MAX_BUCKETS) state.buckets.clear();
    bucket = { tokens: perMinute, updatedAt: now };
    state.buckets.set(key, bucket);
  } else if (now > bucket.updatedAt) {
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return (1 - bucket.tokens) / perMs;
}

/**
 * Admits one gateway call of `owner` to `slug`, or says why not (a 429): its monthly quota is spent, or its
 * rate limit's bucket is empty. An admitted call is counted; synchronous, no database.
 */
export function admitTokenCall(owner: TokenOwner, slug: string, now: number = Date.now()): CallerRefusal | null {
  const key = usageKey(owner.tokenId, slug, utcMonth(now));
  const used = state.counts.get(key) ?? 0;
  const quota = owner.quotas?.[slug];
  if (quota !== undefined && used >= quota) {
    const resets = quotaResetsAt(now);
    return {
      error: `monthly quota of ${quota} calls to ${slug} spent for this token; resets ${resets.toISOString()}`,
      retryAfterSeconds: Math.max(1, Math.ceil((resets.getTime() - now) / 1000)),
    };
  }
  const perMinute = tokenRateLimit(owner, slug);
  if (perMinute !== null) {
    const waitMs = takeFromBucket(owner.tokenId, slug, perMinute, now);
    if (waitMs > 0)
      return {
        error: `rate limit of ${perMinute}/min for this token`,
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      };
  }
  state.counts.set(key, used + 1);
  state.pending.set(key, (state.pending.get(key) ?? 0) + 1);
  return null;
}

/** Calls made in this process and not yet written, by token, for one integration and month. */
export function unwrittenTokenCalls(integration: string, month: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, calls] of state.pending) {
    const [tokenId, slug, at] = key.split(SEP);
    if (slug === integration && at === month) out.set(tokenId, calls);
  }
  return out;
}

/** Reads the stored counts of the current month: each becomes the stored count plus the calls not yet written. */
export async function loadTokenUsage(db: Db, now: number = Date.now()): Promise<void> {
  const month = utcMonth(now);
  const rows = await db.tokenUsage.findMany({ where: { month } });
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(usageKey(row.tokenId, row.integration, row.month), row.calls);
  for (const [key, calls] of state.pending) counts.set(key, (counts.get(key) ?? 0) + calls);
  state.counts = counts;
}

/**
 * Adds the calls made since the last batch to the stored counts in one transaction, then reads the month's
 * counts back (so other instances' calls count here too). On failure the calls are kept for the next batch
 * and the error is thrown to the caller, which logs it; no call ever waits for this.
 */
export async function flushTokenUsage(db: Db): Promise<number> {
  const batch = [...state.pending];
  state.pending.clear();
  if (batch.length > 0) {
    try {
      await db.$transaction(
        batch.map(([key, calls]) => {
          const [tokenId, integration, month] = key.split(SEP);
          return db.tokenUsage.upsert({
            where: { tokenId_integration_month: { tokenId, integration, month } },
            create: { tokenId, integration, month, calls },
            update: { calls: { increment: calls } },
          });
        }),
      );
    } catch (error) {
      for (const [key, calls] of batch) state.pending.set(key, (state.pending.get(key) ?? 0) + calls);
      throw error;
    }
  }
  await loadTokenUsage(db);
  return batch.length;
}

/** One caller of an integration, for its page: a token that may call it, with its use this month. */
export interface IntegrationCaller {
  tokenId: string;
  name: string;
  prefix: string;
  owner: string;
  callsThisMonth: number;
  monthlyQuota: number | null;
  rateLimitPerMinute: number | null;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  expired: boolean;
  quotaResetsAt: Date;
}

function jsonCounts(json: string | null): Record<string, number> {
  try {
    const value: unknown = json ? JSON.parse(json) : null;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/**
 * The tokens of `workspaceId` that may call integration `slug` at the gateway (not revoked, with the
 * gateway scope, the integration allowed), and those that called it this month even if no longer allowed;
 * null when the workspace has no integration `slug`.
 */
export async function integrationCallers(
  db: Db,
  workspaceId: string,
  slug: string,
  now: number = Date.now(),
): Promise<IntegrationCaller[] | null> {
  const integration = await db.integration.findFirst({ where: { workspaceId, slug }, select: { id: true } });
  if (!integration) return null;
  const month = utcMonth(now);
  const [tokens, usage] = await Promise.all([
    db.apiToken.findMany({
      where: { workspaceId },
      orderBy: { createdAt: 'asc' },
      select: {
        id: true,
        name: true,
        prefix: true,
        scopes: true,
        integrations: true,
        rateLimits: true,
        quotas: true,
        lastUsedAt: true,
        expiresAt: true,
        revokedAt: true,
        user: { select: { username: true } },
      },
    }),
    db.tokenUsage.findMany({ where: { integration: slug, month }, select: { tokenId: true, calls: true } }),
  ]);
  const calls = new Map(usage.map((row) => [row.tokenId, row.calls]));
  for (const [tokenId, unwritten] of unwrittenTokenCalls(slug, month))
    calls.set(tokenId, (calls.get(tokenId) ?? 0) + unwritten);
  const mayCall = (token: (typeof tokens)[number]) => {
    let scopes: unknown;
    try {
      scopes = JSON.parse(token.scopes);
    } catch {
      return false;
    }
    let allowed: unknown = null;
    try {
      allowed = token.integrations ? JSON.parse(token.integrations) : null;
    } catch {
      return false;
    }
    return (
      !token.revokedAt &&
      Array.isArray(scopes) &&
      scopes.includes('gateway') &&
      (allowed === null || (Array.isArray(allowed) && allowed.includes(slug)))
    );
  };
  return tokens
    .filter((token) => calls.has(token.id) || mayCall(token))
    .map((token) => {
      const rateLimits = jsonCounts(token.rateLimits);
      return {
        tokenId: token.id,
        name: token.name,
        prefix: token.prefix,
        owner: token.user.username,
        callsThisMonth: calls.get(token.id) ?? 0,
        monthlyQuota: jsonCounts(token.quotas)[slug] ?? null,
        rateLimitPerMinute: rateLimits[slug] ?? rateLimits['*'] ?? null,
        lastUsedAt: token.lastUsedAt,
        expiresAt: token.expiresAt,
        expired: token.expiresAt !== null && token.expiresAt.getTime() <= now,
        quotaResetsAt: quotaResetsAt(now),
      };
    });
}
