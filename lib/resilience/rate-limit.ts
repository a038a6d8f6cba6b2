import { sleep } from './clock.ts';
import { answeredFromCache, type CallContext } from './context.ts';
import { RateLimitedError } from './errors.ts';
import type { Policy } from './options.ts';
import { PolicyBase, type PolicyEnv } from './policy.ts';
import { parseRateLimitReset, parseRetryAfter } from './retry-after.ts';
import { hasStatus } from './retryable.ts';

export interface TokenBucketConfig {
  /** Tokens added per millisecond. */
  ratePerMs: number;
  /** Bucket size: how many calls may go at once after a quiet period. */
  burst: number;
}

export interface Acquisition {
  granted: boolean;
  /** Granted: how long to wait before going (the token is reserved). Refused: when one would be free. */
  waitMs: number;
}

/** Upstream's own view of its limit, learned from response headers. */
export interface UpstreamLimitObservation {
  remaining?: number;
  /** Nothing may be sent before this epoch ms. */
  blockedUntil?: number;
}

/**
 * Where buckets live. Memory now; a Redis store (shared by instances) implements the same three calls.
 * Methods may answer synchronously so the in-memory path costs no promise.
 */
export interface RateLimitStore {
  acquire(key: string, config: TokenBucketConfig, maxWaitMs: number, now: number): Acquisition | Promise<Acquisition>;
  /**
   * A caller's bucket and the integration's in one step (a shared store: one round trip instead of two):
   * both give a token or neither does; `refusedBy` names the bucket that refused.
   */
  acquirePair?(
    callerKey: string,
    integrationKey: string,
    config: TokenBucketConfig,
    maxWaitMs: number,
    now: number,
  ): Promise<Acquisition & { refusedBy?: string }>;
  refund(key: string, config: TokenBucketConfig, now: number): void | Promise<void>;
  observe(
    key: string,
    observation: UpstreamLimitObservation,
    config: TokenBucketConfig,
    now: number,
  ): void | Promise<void>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  blockedUntil: number;
}

const grantedNow: Acquisition = Object.freeze({ granted: true, waitMs: 0 });
const maxIdleBuckets = 10_000;

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly buckets = new Map<string, Bucket>();

  acquire(key: string, config: TokenBucketConfig, maxWaitMs: number, now: number): Acquisition {
    const bucket = this.refill(key, config, now);
    const blockedMs = bucket.blockedUntil > now ? bucket.blockedUntil - now : 0;
    if (bucket.tokens >= 1 && blockedMs === 0) {
      bucket.tokens -= 1;
      return grantedNow;
    }
    const waitMs = Math.max(blockedMs, bucket.tokens >= 1 ? 0 : (1 - bucket.tokens) / config.ratePerMs);
    if (waitMs > maxWaitMs) return { granted: false, waitMs };
    bucket.tokens -= 1;
    return { granted: true, waitMs };
  }

  refund(key: string, config: TokenBucketConfig, now: number): void {
    const bucket = this.refill(key, config, now);
    bucket.tokens = Math.min(config.burst, bucket.tokens + 1);
  }

  observe(key: string, observation: UpstreamLimitObservation, config: TokenBucketConfig, now: number): void {
    const bucket = this.refill(key, config, now);
    if (observation.remaining !== undefined) bucket.tokens = Math.min(bucket.tokens, observation.remaining);
    if (observation.blockedUntil !== undefined)
      bucket.blockedUntil = Math.max(bucket.blockedUntil, observation.blockedUntil);
  }

  private refill(key: string, config: TokenBucketConfig, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= maxIdleBuckets) this.dropFullBuckets(config, now);
      bucket = { tokens: config.burst, updatedAt: now, blockedUntil: 0 };
      this.buckets.set(key, bucket);
      return bucket;
    }
    if (now > bucket.updatedAt) {
      bucket.tokens = Math.min(config.burst, bucket.tokens + (now - bucket.updatedAt) * config.ratePerMs);
      bucket.updatedAt = now;
    }
    return bucket;
  }

  /** A full bucket is the same as a missing one, so per-caller keys cannot grow the map forever. */
  private dropFullBuckets(config: TokenBucketConfig, now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * config.ratePerMs >= config.burst && bucket.blockedUntil <= now) {
        this.buckets.delete(key);
      }
    }
  }
}

/**
 * Token bucket per integration and per caller key: wait up to `maxWaitMs` for a token or reject with
 * RateLimitedError. Learns from X-RateLimit-Remaining/Reset and 429 Retry-After so the client slows down
 * before the upstream refuses.
 */
export class RateLimiter extends PolicyBase<Policy['rateLimit']> {
  private bucket: TokenBucketConfig;

  constructor(
    options: Policy['rateLimit'],
    env: PolicyEnv,
    readonly store: RateLimitStore = new MemoryRateLimitStore(),
  ) {
    super(options, env);
    this.bucket = { ratePerMs: options.perMinute / 60_000, burst: options.burst };
  }

  override configure(options: Policy['rateLimit']): void {
    super.configure(options);
    this.bucket = { ratePerMs: options.perMinute / 60_000, burst: options.burst };
  }

  async run<T>(next: (ctx: CallContext) => Promise<T>, ctx: CallContext): Promise<T> {
    if (!this.options.enabled) return next(ctx);
    const integrationKey = this.env.name;
    const callerKey = ctx.callerKey === undefined ? undefined : `${this.env.name}:caller:${ctx.callerKey}`;
    if (callerKey !== undefined && this.store.acquirePair !== undefined) {
      const both = await this.store.acquirePair(
        callerKey,
        integrationKey,
        this.bucket,
        this.options.maxWaitMs,
        this.env.clock.now(),
      );
      if (!both.granted) throw this.reject(ctx, both.refusedBy ?? integrationKey, both.waitMs);
      return this.proceed(next, ctx, integrationKey, both.waitMs);
    }
    let waitMs = 0;
    if (callerKey !== undefined) {
      const caller = await this.store.acquire(callerKey, this.bucket, this.options.maxWaitMs, this.env.clock.now());
      if (!caller.granted) throw this.reject(ctx, callerKey, caller.waitMs);
      waitMs = caller.waitMs;
    }
    // The memory store answers synchronously; awaiting a plain value would still cost a microtask.
    const acquired = this.store.acquire(integrationKey, this.bucket, this.options.maxWaitMs, this.env.clock.now());
    const shared = acquired instanceof Promise ? await acquired : acquired;
    if (!shared.granted) {
      if (callerKey !== undefined) await this.store.refund(callerKey, this.bucket, this.env.clock.now());
      throw this.reject(ctx, integrationKey, shared.waitMs);
    }
    if (shared.waitMs > waitMs) waitMs = shared.waitMs;
    return this.proceed(next, ctx, integrationKey, waitMs);
  }

  /** Waits for the reserved token, if it must, makes the call and learns from its answer. */
  private async proceed<T>(
    next: (ctx: CallContext) => Promise<T>,
    ctx: CallContext,
    integrationKey: string,
    waitMs: number,
  ): Promise<T> {
    if (waitMs > 0) {
      ctx.rateLimited = true;
      ctx.rateLimitWaitMs += waitMs;
      if (this.wants('ratelimit.wait')) {
        this.emitForCall(ctx, {
          type: 'ratelimit.wait',
          key: integrationKey,
          waitMs,
        });
      }
      await sleep(this.env.clock, waitMs, ctx);
    }
    const result = await next(ctx);
    // A cached answer's headers describe the upstream's limit when it was stored, not now.
    if (this.options.learnFromUpstream && !answeredFromCache(ctx) && hasStatus(result)) {
      const learning = this.learn(result.status, result.headers);
      if (learning) await learning;
    }
    return result;
  }

  private learn(status: number, headers: Record<string, string>): void | Promise<void> {
    const remainingHeader = headers['x-ratelimit-remaining'];
    if (remainingHeader === undefined && status !== 429) return;
    const now = this.env.clock.now();
    const observation: UpstreamLimitObservation = {};
    const remaining = remainingHeader === undefined ? Number.NaN : Number(remainingHeader);
    if (!Number.isNaN(remaining)) observation.remaining = remaining;
    const blockedMs =
      status === 429
        ? (parseRetryAfter(headers['retry-after'], now) ?? parseRateLimitReset(headers['x-ratelimit-reset'], now))
        : remaining <= 0
          ? parseRateLimitReset(headers['x-ratelimit-reset'], now)
          : undefined;
    if (blockedMs !== undefined) observation.blockedUntil = now + blockedMs;
    return this.store.observe(this.env.name, observation, this.bucket, now);
  }

  private reject(ctx: CallContext, key: string, retryAfterMs: number): RateLimitedError {
    ctx.rateLimited = true;
    if (this.wants('ratelimit.rejected')) {
      this.emitForCall(ctx, {
        type: 'ratelimit.rejected',
        key,
        retryAfterMs,
      });
    }
    return new RateLimitedError(retryAfterMs, key);
  }
}
