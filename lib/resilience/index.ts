export { type BatchItemResult, type BatchOptions, runBatch } from './batch.ts';
export { type BreakerChange, type BreakerSync, CircuitBreaker } from './breaker.ts';
export { Bulkhead } from './bulkhead.ts';
export { type CachedResponse, type CacheStore, MemoryCacheStore, ResponseCache } from './cache.ts';
export {
  type Reauthorization,
  ResilientClient,
  type ResilientClientOptions,
  type ResilientRequest,
  type ResilientResponse,
} from './client.ts';
export { type Clock, FakeClock, systemClock } from './clock.ts';
export { CallContext, type OpenBody } from './context.ts';
export {
  DestinationPolicy,
  type DestinationPolicyOptions,
  DestinationRefusedError,
  describeRefusal,
  type HostResolver,
  parseAddress,
  type RefusalReason,
} from './destination.ts';
export {
  AuthenticationError,
  BulkheadRejectedError,
  CancelledError,
  CircuitOpenError,
  ConflictError,
  errorForResponse,
  HttpStatusError,
  NetworkError,
  type NetworkErrorKind,
  NotFoundError,
  RateLimitedError,
  RequestBodyError,
  ResilienceError,
  TimeoutError,
  UpstreamError,
  UpstreamRateLimitedError,
  ValidationError,
} from './errors.ts';
export {
  type AttemptInfo,
  type BreakerState,
  type CacheStatus,
  type CallOutcome,
  type CallSummary,
  EventBus,
  type EventOf,
  type ResilienceEvent,
  type ResilienceEventType,
} from './events.ts';
export { type FallbackCause, type FallbackHandler, FallbackPolicy } from './fallback.ts';
export { headerNameSchema, headersRecordSchema, headerValueSchema } from './headers.ts';
export { defaultPolicy, type Policy, type PolicyInput, parsePolicy, policySchema } from './options.ts';
export { Pipeline, PolicyBase, type PolicyEnv, policyEnv, type ResiliencePolicy, wrap } from './policy.ts';
export {
  type Acquisition,
  MemoryRateLimitStore,
  RateLimiter,
  type RateLimitStore,
  type TokenBucketConfig,
  type UpstreamLimitObservation,
} from './rate-limit.ts';
export { RetryPolicy } from './retry.ts';
export { parseAnnouncedLimit, parseRateLimitReset, parseRetryAfter } from './retry-after.ts';
export { RetryBudget } from './retry-budget.ts';
export { isMethodRetryable, isRetryableError, isRetryableResult } from './retryable.ts';
export { DEFAULT_BODY_COPY_BYTES, ResponseBodyStream } from './streaming.ts';
export { DeadlinePolicy } from './timeout.ts';
export {
  acceptedTracestate,
  continueTrace,
  newSpanId,
  parseTraceparent,
  type TraceContext,
  type Traceparent,
  traceparentOf,
} from './tracing.ts';
export type { HttpResult } from './transport.ts';
