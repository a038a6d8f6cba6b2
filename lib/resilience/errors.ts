import type { AttemptInfo, CallSummary } from './events.ts';
import { parseRetryAfter } from './retry-after.ts';

/**
 * Base of every error the client rejects with. `summary` is attached when the call ends, so a caller that
 * catches the error sees the whole story (attempts, waits, cache) without subscribing to events.
 */
export class ResilienceError extends Error {
  status?: number;
  attempts: AttemptInfo[] = [];
  requestId = '';
  retryAfterMs?: number;
  summary!: CallSummary;
  /** Stable, low-cardinality name for telemetry (`error.type`). */
  readonly errorType: string;

  constructor(message: string, errorType: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errorType = errorType;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export class TimeoutError extends ResilienceError {
  constructor(
    readonly scope: 'attempt' | 'overall',
    readonly timeoutMs: number,
  ) {
    super(`${scope === 'attempt' ? 'Attempt' : 'Call'} timed out after ${timeoutMs} ms`, `timeout_${scope}`);
  }
}

export class CircuitOpenError extends ResilienceError {
  constructor(
    retryAfterMs: number,
    readonly isolated: boolean,
  ) {
    super(
      isolated ? 'Circuit is isolated' : `Circuit is open; retry in ${Math.ceil(retryAfterMs)} ms`,
      'circuit_open',
      { retryAfterMs },
    );
  }
}

export class RateLimitedError extends ResilienceError {
  constructor(
    retryAfterMs: number,
    readonly key: string,
  ) {
    super(`Rate limit for ${key} exhausted; retry in ${Math.ceil(retryAfterMs)} ms`, 'rate_limited', { retryAfterMs });
  }
}

export class BulkheadRejectedError extends ResilienceError {
  constructor(readonly reason: 'queue_full' | 'queue_timeout') {
    super(
      reason === 'queue_full' ? 'Bulkhead queue is full' : 'Timed out waiting in the bulkhead queue',
      'bulkhead_rejected',
    );
  }
}

export type NetworkErrorKind = 'reset' | 'refused' | 'dns' | 'connect_timeout' | 'other';

export class NetworkError extends ResilienceError {
  constructor(
    readonly kind: NetworkErrorKind,
    cause: unknown,
  ) {
    super(`Network error (${kind}): ${cause instanceof Error ? cause.message : String(cause)}`, `network_${kind}`, {
      cause,
    });
  }
}

export class CancelledError extends ResilienceError {
  constructor(cause?: unknown) {
    super('Call cancelled by the caller', 'cancelled', { cause });
  }
}

/** HTTP classification helpers: the client resolves every status; callers that prefer throwing use these. */
export class HttpStatusError extends ResilienceError {
  readonly body: Buffer;
  constructor(message: string, errorType: string, res: { status: number; body: Buffer; requestId?: string }) {
    super(message, errorType);
    this.status = res.status;
    this.body = res.body;
    if (res.requestId) this.requestId = res.requestId;
  }
}
export class ValidationError extends HttpStatusError {}
export class AuthenticationError extends HttpStatusError {}
export class NotFoundError extends HttpStatusError {}
export class ConflictError extends HttpStatusError {}
export class UpstreamError extends HttpStatusError {}
/** A 429 that survived retries: the upstream's own limit, not ours. */
export class UpstreamRateLimitedError extends HttpStatusError {}

interface ResponseLike {
  status: number;
  body: Buffer;
  headers?: Record<string, string>;
  requestId?: string;
  attempts?: AttemptInfo[];
}

/** Maps a resolved response to the error it represents, or undefined for 1xx-3xx. */
export function errorForResponse(res: ResponseLike): HttpStatusError | undefined {
  const { status } = res;
  if (status < 400) return undefined;
  let error: HttpStatusError;
  if (status === 400 || status === 422)
    error = new ValidationError(`Upstream rejected the request (${status})`, 'validation', res);
  else if (status === 401 || status === 403)
    error = new AuthenticationError(`Upstream refused credentials (${status})`, 'authentication', res);
  else if (status === 404) error = new NotFoundError('Upstream resource not found (404)', 'not_found', res);
  else if (status === 409) error = new ConflictError('Upstream reported a conflict (409)', 'conflict', res);
  else if (status === 429)
    error = new UpstreamRateLimitedError('Upstream rate limited the call (429)', 'upstream_rate_limited', res);
  else if (status >= 500) error = new UpstreamError(`Upstream failed (${status})`, 'upstream', res);
  else error = new HttpStatusError(`Upstream answered ${status}`, 'http_error', res);
  if (res.attempts) error.attempts = res.attempts;
  const retryAfter = parseRetryAfter(res.headers?.['retry-after'], Date.now());
  if (retryAfter !== undefined) error.retryAfterMs = retryAfter;
  return error;
}
