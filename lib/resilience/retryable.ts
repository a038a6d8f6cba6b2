import { NetworkError, TimeoutError } from './errors.ts';
import type { Policy } from './options.ts';
import { parseRateLimitReset, parseRetryAfter } from './retry-after.ts';

// The one place that decides what is retryable and what counts against the breaker.

/** What the pipeline passes around for an HTTP answer; any object with a numeric status qualifies. */
export interface StatusResult {
  status: number;
  headers: Record<string, string>;
}

export function hasStatus(value: unknown): value is StatusResult {
  return typeof value === 'object' && value !== null && typeof (value as StatusResult).status === 'number';
}

const methodsSafeToRepeat = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Unsafe methods (POST, PUT, PATCH, DELETE...) may be repeated only when they carry an idempotency key. */
export function isMethodRetryable(method: string, idempotencyKey: string | undefined): boolean {
  return methodsSafeToRepeat.has(method) || idempotencyKey !== undefined;
}

export function isRetryableResult(result: unknown, retry: Policy['retry']): boolean {
  return hasStatus(result) && retry.retryOnStatuses.includes(result.status);
}

/** Caller cancels, the overall deadline, our own limiter/bulkhead/breaker rejections are never retried. */
export function isRetryableError(error: unknown, retry: Policy['retry']): boolean {
  if (error instanceof NetworkError) return retry.retryOnNetworkErrors;
  if (error instanceof TimeoutError) return error.scope === 'attempt' && retry.retryOnTimeout;
  return false;
}

/** Upstream faults count against the breaker; caller faults (4xx, cancel) and our own rejections do not. */
export function isBreakerFailure(outcome: unknown, threw: boolean, breaker: Policy['breaker']): boolean {
  if (threw) return outcome instanceof NetworkError || (outcome instanceof TimeoutError && outcome.scope === 'attempt');
  return hasStatus(outcome) && breaker.failureStatuses.includes(outcome.status);
}

export interface DelayHint {
  delayMs: number;
  reason: 'retry-after' | 'x-ratelimit-reset';
}

/**
 * The wait the upstream asked for: Retry-After (delta seconds or HTTP-date), else X-RateLimit-Reset
 * (delta seconds, or epoch seconds when it is that large) when the limit is spent or the answer is 429.
 */
export function upstreamDelayHint(outcome: unknown, now: number): DelayHint | undefined {
  if (!hasStatus(outcome)) return undefined;
  const retryAfter = parseRetryAfter(outcome.headers['retry-after'], now);
  if (retryAfter !== undefined) return { delayMs: retryAfter, reason: 'retry-after' };
  const remaining = outcome.headers['x-ratelimit-remaining'];
  if (outcome.status === 429 || remaining === '0') {
    const reset = parseRateLimitReset(outcome.headers['x-ratelimit-reset'], now);
    if (reset !== undefined) return { delayMs: reset, reason: 'x-ratelimit-reset' };
  }
  return undefined;
}
