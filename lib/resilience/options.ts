import { z } from 'zod';
import { headerNameSchema, headersRecordSchema } from './headers.ts';

// One schema for an integration's policy. It validates what users send (UI, API, database) and is the
// only place defaults are written down, as Polly v8 does with its options objects. Every number and list
// is bounded on both sides, so a typo (an extra zero, a negative) is a 400 naming the field rather than a
// buffer sized by it or a timer that never fires; fields that constrain each other are checked together.

const second = 1000;
const hour = 3600 * second;
const day = 24 * hour;
const status = z.number().int().min(100).max(599);
const duration = (maxMs: number) => z.number().int().min(0).max(maxMs);
/** A duration in ms, at most a day; the few longer ones use `duration` with their own bound. */
const ms = duration(day);
const statuses = z.array(status).max(500);

/** `lower` must not exceed `upper`; the issue names `lower`, the field whose value is out of range. */
function notAbove<K extends string>(lower: K, upper: K) {
  return (value: Record<K, number>, ctx: z.RefinementCtx) => {
    if (value[lower] <= value[upper]) return;
    ctx.addIssue({
      code: 'custom',
      path: [lower],
      message: `must not exceed ${upper} (${value[upper]}), got ${value[lower]}`,
    });
  };
}

const timeoutSchema = z
  .object({
    /** Per attempt, including reading the body. */
    attemptMs: ms.positive().default(10_000),
    /** Whole logical call, retries and their delays included. */
    overallMs: ms.positive().default(30_000),
  })
  .superRefine(notAbove('attemptMs', 'overallMs'))
  .prefault({});

const retryBudgetSchema = z
  .object({
    /** Retries may be at most this share of calls in the window (Envoy's budget_percent). */
    ratio: z.number().min(0).max(1).default(0.2),
    /** Floor so a quiet integration can still retry (Envoy's min_retry_concurrency, as a rate). */
    minRetriesPerSec: z.number().min(0).max(1000).default(10),
    windowMs: ms.positive().max(hour).default(10_000),
  })
  .prefault({});

const retrySchema = z
  .object({
    maxRetries: z.number().int().min(0).max(20).default(3),
    backoff: z.enum(['constant', 'linear', 'exponential']).default('exponential'),
    initialDelayMs: ms.default(1000),
    factor: z.number().min(1).max(10).default(2),
    maxDelayMs: ms.default(5000),
    /** Decorrelated jitter (AWS "decorrelated jitter", as Polly's DecorrelatedJitterBackoffV2). */
    jitter: z.boolean().default(true),
    retryOnStatuses: statuses.default([408, 429, 500, 502, 503, 504]),
    retryOnNetworkErrors: z.boolean().default(true),
    /** Also retry when an attempt times out (the overall deadline still bounds the call). */
    retryOnTimeout: z.boolean().default(true),
    budget: retryBudgetSchema,
  })
  .superRefine(notAbove('initialDelayMs', 'maxDelayMs'))
  .prefault({});

const breakerWindowSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('count'), size: z.number().int().positive().max(10_000).default(100) }),
    // One bucket per second of the window.
    z.object({ kind: z.literal('time'), ms: ms.positive().max(hour).default(60_000) }),
  ])
  .prefault({ kind: 'count' });

const breakerSchema = z
  .object({
    mode: z.enum(['consecutive', 'failureRate']).default('consecutive'),
    consecutiveFailures: z.number().int().positive().max(10_000).default(5),
    failureRateThreshold: z.number().gt(0).max(1).default(0.5),
    window: breakerWindowSchema,
    /** Failure-rate mode only judges once the window holds this many calls. */
    minimumThroughput: z.number().int().positive().max(10_000).default(10),
    /** A call slower than this counts as a failure; null disables. */
    slowCallMs: ms.positive().nullable().default(null),
    openMs: ms.positive().default(30_000),
    halfOpenProbes: z.number().int().positive().max(1000).default(1),
    closeAfterSuccesses: z.number().int().positive().max(1000).default(1),
    /** Record transitions and events but never reject a call (for tuning thresholds safely). */
    dryRun: z.boolean().default(false),
    /** Statuses that count as failures for the breaker (5xx by default; 4xx are the caller's fault). */
    failureStatuses: statuses.default([500, 502, 503, 504, 429, 408]),
    /**
     * With shared state (Redis): `cluster` shares transitions and half-open probes with every instance,
     * `local` keeps this instance's breaker to itself. Without shared state every breaker is local.
     */
    scope: z.enum(['cluster', 'local']).default('cluster'),
  })
  .prefault({});

const rateLimitSchema = z
  .object({
    enabled: z.boolean().default(true),
    perMinute: z.number().positive().max(1e9).default(100),
    burst: z.number().int().positive().max(1e6).default(150),
    /** 0 rejects at once when the bucket is empty; otherwise wait up to this long for a token. */
    maxWaitMs: ms.default(0),
    /** Slow down from X-RateLimit-Remaining/Reset and 429 Retry-After before the upstream refuses. */
    learnFromUpstream: z.boolean().default(true),
  })
  .prefault({});

const bulkheadSchema = z
  .object({
    maxConcurrent: z.number().int().positive().max(10_000).default(5),
    maxQueue: z.number().int().min(0).max(100_000).default(50),
    queueTimeoutMs: ms.default(5000),
  })
  .prefault({});

const cacheSchema = z
  .object({
    enabled: z.boolean().default(true),
    methods: z.array(z.string().max(32).toUpperCase()).max(16).default(['GET', 'HEAD']),
    ttlMs: duration(30 * day)
      .positive()
      .default(3_600_000),
    maxEntries: z.number().int().positive().max(1_000_000).default(1000),
    /** Request headers that take part in the cache key (lower-cased). */
    varyHeaders: z.array(headerNameSchema.toLowerCase()).max(32).default([]),
    /** Route patterns ('*' matches one segment, trailing '**' the rest) never cached. */
    neverCacheRoutes: z.array(z.string().max(2048)).max(200).default([]),
    /** How long past its TTL an entry may still answer when the upstream fails; 0 disables. */
    staleIfErrorMs: duration(30 * day).default(0),
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
    body: z.string().max(1_048_576).default(''),
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
    .max(32)
    .default(['x-request-id', 'trackingid', 'x-amzn-requestid', 'request-id']),
});

export type PolicyInput = z.input<typeof policySchema>;
export type Policy = z.output<typeof policySchema>;

/** Validates and fills defaults; throws a ZodError listing every bad field. */
export function parsePolicy(input: PolicyInput = {}): Policy {
  return policySchema.parse(input);
}

export const defaultPolicy: Policy = parsePolicy();
