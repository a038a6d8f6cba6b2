import { z } from 'zod';
import { headerNameSchema, headersRecordSchema } from './headers.ts';

// One schema for an integration's policy. It validates what users send (UI, API, database) and is the
// only place defaults are written down, as Polly v8 does with its options objects.

const status = z.number().int().min(100).max(599);
const ms = z.number().int().min(0);

const timeoutSchema = z
  .object({
    /** Per attempt, including reading the body. */
    attemptMs: ms.positive().default(10_000),
    /** Whole logical call, retries and their delays included. */
    overallMs: ms.positive().default(30_000),
  })
  .prefault({});

const retryBudgetSchema = z
  .object({
    /** Retries may be at most this share of calls in the window (Envoy's budget_percent). */
    ratio: z.number().min(0).max(1).default(0.2),
    /** Floor so a quiet integration can still retry (Envoy's min_retry_concurrency, as a rate). */
    minRetriesPerSec: z.number().min(0).default(10),
    windowMs: ms.positive().default(10_000),
  })
  .prefault({});

const retrySchema = z
  .object({
    maxRetries: z.number().int().min(0).max(20).default(3),
    backoff: z.enum(['constant', 'linear', 'exponential']).default('exponential'),
    initialDelayMs: ms.default(1000),
    factor: z.number().min(1).default(2),
    maxDelayMs: ms.default(5000),
    /** Decorrelated jitter (AWS "decorrelated jitter", as Polly's DecorrelatedJitterBackoffV2). */
    jitter: z.boolean().default(true),
    retryOnStatuses: z.array(status).default([408, 429, 500, 502, 503, 504]),
    retryOnNetworkErrors: z.boolean().default(true),
    /** Also retry when an attempt times out (the overall deadline still bounds the call). */
    retryOnTimeout: z.boolean().default(true),
    budget: retryBudgetSchema,
  })
  .prefault({});

const breakerWindowSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('count'), size: z.number().int().positive().default(100) }),
    z.object({ kind: z.literal('time'), ms: ms.positive().default(60_000) }),
  ])
  .prefault({ kind: 'count' });

const breakerSchema = z
  .object({
    mode: z.enum(['consecutive', 'failureRate']).default('consecutive'),
    consecutiveFailures: z.number().int().positive().default(5),
    failureRateThreshold: z.number().gt(0).max(1).default(0.5),
    window: breakerWindowSchema,
    /** Failure-rate mode only judges once the window holds this many calls. */
    minimumThroughput: z.number().int().positive().default(10),
    /** A call slower than this counts as a failure; null disables. */
    slowCallMs: ms.positive().nullable().default(null),
    openMs: ms.positive().default(30_000),
    halfOpenProbes: z.number().int().positive().default(1),
    closeAfterSuccesses: z.number().int().positive().default(1),
    /** Record transitions and events but never reject a call (for tuning thresholds safely). */
    dryRun: z.boolean().default(false),
    /** Statuses that count as failures for the breaker (5xx by default; 4xx are the caller's fault). */
    failureStatuses: z.array(status).default([500, 502, 503, 504, 429, 408]),
  })
  .prefault({});

const rateLimitSchema = z
  .object({
    enabled: z.boolean().default(true),
    perMinute: z.number().positive().default(100),
    burst: z.number().int().positive().default(150),
    /** 0 rejects at once when the bucket is empty; otherwise wait up to this long for a token. */
    maxWaitMs: ms.default(0),
    /** Slow down from X-RateLimit-Remaining/Reset and 429 Retry-After before the upstream refuses. */
    learnFromUpstream: z.boolean().default(true),
  })
  .prefault({});

const bulkheadSchema = z
  .object({
    maxConcurrent: z.number().int().positive().default(5),
    maxQueue: z.number().int().min(0).default(50),
    queueTimeoutMs: ms.default(5000),
  })
  .prefault({});

const cacheSchema = z
  .object({
    enabled: z.boolean().default(true),
    methods: z.array(z.string().toUpperCase()).default(['GET', 'HEAD']),
    ttlMs: ms.positive().default(3_600_000),
    maxEntries: z.number().int().positive().default(1000),
    /** Request headers that take part in the cache key (lower-cased). */
    varyHeaders: z.array(headerNameSchema.toLowerCase()).default([]),
    /** Route patterns ('*' matches one segment, trailing '**' the rest) never cached. */
    neverCacheRoutes: z.array(z.string()).default([]),
    /** How long past its TTL an entry may still answer when the upstream fails; 0 disables. */
    staleIfErrorMs: ms.default(0),
  })
  .prefault({});

const idempotencySchema = z
  .object({
    header: headerNameSchema.default('Idempotency-Key'),
    /** Add a generated key to unsafe requests that carry none, so they become retryable. */
    generate: z.boolean().default(true),
  })
  .prefault({});

const fallbackSchema = z
  .object({
    kind: z.enum(['none', 'static', 'stale']).default('none'),
    status: status.default(200),
    body: z.string().default(''),
    headers: headersRecordSchema.default({}),
  })
  .prefault({});

const hedgingSchema = z
  .object({
    enabled: z.boolean().default(false),
    delayMs: ms.positive().default(200),
  })
  .prefault({});

export const policySchema = z.object({
  timeout: timeoutSchema,
  retry: retrySchema,
  breaker: breakerSchema,
  rateLimit: rateLimitSchema,
  bulkhead: bulkheadSchema,
  cache: cacheSchema,
  idempotency: idempotencySchema,
  fallback: fallbackSchema,
  hedging: hedgingSchema,
  /** Response headers holding the upstream's own request id, first match wins. */
  trackingHeaders: z
    .array(headerNameSchema.toLowerCase())
    .default(['x-request-id', 'trackingid', 'x-amzn-requestid', 'request-id']),
});

export type PolicyInput = z.input<typeof policySchema>;
export type Policy = z.output<typeof policySchema>;

/** Validates and fills defaults; throws a ZodError listing every bad field. */
export function parsePolicy(input: PolicyInput = {}): Policy {
  return policySchema.parse(input);
}

export const defaultPolicy: Policy = parsePolicy();
