import type { AttemptInfo, CallSummary } from './events.ts';
import { parseRetryAfter } from './retry-after.ts';

/** What an error may be given when it is built; everything it says is set then, or with the call's summary. */
export interface ResilienceErrorDetails {
  cause?: unknown;
  retryAfterMs?: number;
  /** The status the upstream answered, for errors made from a response. */
  status?: number;
  requestId?: string;
  attempts?: AttemptInfo[];
}

/**
 * Base of every error the client rejects with. Built whole: what it knows when thrown is given to the
 * constructor, and the story of the call it ended (attempts, waits, cache) is its `summary`, attached once
 * by the client before it rejects, so a caller sees the whole story without subscribing to events.
 */
export class ResilienceError extends Error {
  /** Stable, low-cardinality name for telemetry (`error.type`). */
  readonly errorType: string;
  readonly retryAfterMs?: number;
  private readonly details: ResilienceErrorDetails;
  private endedCall: CallSummary | undefined;

  constructor(message: string, errorType: string, details: ResilienceErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.errorType = errorType;
    this.details = details;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }

  /** The summary of the call this error ended (set by the client for every error it rejects with). */
  get summary(): CallSummary {
    return this.endedCall as CallSummary;
  }

  get attempts(): AttemptInfo[] {
    return this.endedCall?.attempts ?? this.details.attempts ?? [];
  }

  get requestId(): string {
    return this.endedCall?.requestId ?? this.details.requestId ?? '';
  }

  /** The given status, else the last status the upstream did answer (say a 503, then a reset). */
  get status(): number | undefined {
    if (this.details.status !== undefined) return this.details.status;
    const attempts = this.endedCall?.attempts ?? [];
    for (let i = attempts.length - 1; i >= 0; i--) if (attempts[i].status !== undefined) return attempts[i].status;
    return undefined;
  }

  /**
   * This error as the end of the call `summary` tells. An error that already ended another call (callers
   * sharing one cache miss share what it threw) is copied, so neither caller's error is rewritten.
   */
  endingCall(summary: CallSummary): this {
    const error = this.endedCall === undefined ? this : this.copy();
    error.endedCall = summary;
    return error;
  }

  private copy(): this {
    return Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
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

/**
 * The caller's request body stream failed while it was being sent (it outgrew the caller's limit, or the
 * caller went away): the upstream request was aborted, so the upstream never saw a complete request. The
 * stream's own error is the `cause`. Never retried: a streamed body cannot be sent twice.
 */
export class RequestBodyError extends ResilienceError {
  constructor(cause: unknown) {
    super('The request body stream failed while it was sent', 'request_body', { cause });
  }
}

/** A resolved response, as errorForResponse and HttpStatusError read it. */
export interface ResponseLike {
  status: number;
  body: Buffer;
  headers?: Record<string, string>;
  requestId?: string;
  attempts?: AttemptInfo[];
}

/** HTTP classification helpers: the client resolves every status; callers that prefer throwing use these. */
export class HttpStatusError extends ResilienceError {
  readonly body: Buffer;
  constructor(message: string, errorType: string, res: ResponseLike, retryAfterMs?: number) {
    super(message, errorType, {
      status: res.status,
      requestId: res.requestId || undefined,
      attempts: res.attempts,
      retryAfterMs,
    });
    this.body = res.body;
  }
}
export class ValidationError extends HttpStatusError {}
export class AuthenticationError extends HttpStatusError {}
export class NotFoundError extends HttpStatusError {}
export class ConflictError extends HttpStatusError {}
export class UpstreamError extends HttpStatusError {}
/** A 429 that survived retries: the upstream's own limit, not ours. */
export class UpstreamRateLimitedError extends HttpStatusError {}

/** Maps a resolved response to the error it represents, or undefined for 1xx-3xx. */
export function errorForResponse(res: ResponseLike): HttpStatusError | undefined {
  const { status } = res;
  if (status < 400) return undefined;
  const retryAfter = parseRetryAfter(res.headers?.['retry-after'], Date.now());
  if (status === 400 || status === 422)
    return new ValidationError(`Upstream rejected the request (${status})`, 'validation', res, retryAfter);
  if (status === 401 || status === 403)
    return new AuthenticationError(`Upstream refused credentials (${status})`, 'authentication', res, retryAfter);
  if (status === 404) return new NotFoundError('Upstream resource not found (404)', 'not_found', res, retryAfter);
  if (status === 409) return new ConflictError('Upstream reported a conflict (409)', 'conflict', res, retryAfter);
  if (status === 429)
    return new UpstreamRateLimitedError(
      'Upstream rate limited the call (429)',
      'upstream_rate_limited',
      res,
      retryAfter,
    );
  if (status >= 500) return new UpstreamError(`Upstream failed (${status})`, 'upstream', res, retryAfter);
  return new HttpStatusError(`Upstream answered ${status}`, 'http_error', res, retryAfter);
}
