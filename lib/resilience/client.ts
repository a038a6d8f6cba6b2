import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import { CircuitBreaker } from './breaker.ts';
import { Bulkhead } from './bulkhead.ts';
import { type CacheStore, MemoryCacheStore, ResponseCache } from './cache.ts';
import { type Clock, systemClock } from './clock.ts';
import { CallContext, linkCallerCancel, linkCallerSignal } from './context.ts';
import { type DestinationPolicy, guardedConnector, type HostResolver } from './destination.ts';
import {
  BulkheadRejectedError,
  CancelledError,
  CircuitOpenError,
  NetworkError,
  RateLimitedError,
  RequestBodyError,
  ResilienceError,
  TimeoutError,
} from './errors.ts';
import { type AttemptInfo, type CallOutcome, type CallSummary, EventBus, type ResilienceEvent } from './events.ts';
import { type FallbackHandler, FallbackPolicy } from './fallback.ts';
import { type AttemptAbortHandle, hedge } from './hedging.ts';
import { ensureIdempotencyKey } from './idempotency.ts';
import { type Policy, type PolicyInput, parsePolicy } from './options.ts';
import { Pipeline, type PolicyEnv } from './policy.ts';
import { MemoryRateLimitStore, RateLimiter, type RateLimitStore } from './rate-limit.ts';
import { RetryPolicy } from './retry.ts';
import { isMethodRetryable } from './retryable.ts';
import { DEFAULT_BODY_COPY_BYTES, isBodyStream, RequestBodyCopy, type ResponseBodyStream } from './streaming.ts';
import { DeadlinePolicy } from './timeout.ts';
import { continueTrace, newSpanId, type TraceContext, traceparentOf, upstreamTrackingId } from './tracing.ts';
import {
  type AttemptObserver,
  type AttemptRequest,
  type HttpResult,
  type StreamedAnswer,
  sendAttempt,
} from './transport.ts';

export interface ResilientClientOptions {
  /** Integration slug, carried by every event. */
  name: string;
  /** Scheme, host and port only, e.g. 'http://127.0.0.1:4010'. */
  origin: string;
  policy?: PolicyInput;
  /** Defaults to an undici Pool for `origin`, owned (and closed) by the client. */
  dispatcher?: Dispatcher;
  /**
   * Checked on the resolved address of every connection the client's Pool opens. Without one nothing is
   * checked (unit tests, benches); every production construction site passes the operator's policy.
   */
  destinationPolicy?: DestinationPolicy;
  /** Host lookup for the destination check; tests pass a fake one. Defaults to dns.lookup (all addresses). */
  resolveHost?: HostResolver;
  /** Receives every event; a throwing subscriber never breaks a call. Use `client.events.on` to pick types. */
  onEvent?: (event: ResilienceEvent) => void;
  /** Time source for tests (FakeClock); defaults to the system clock. */
  clock?: Clock;
  /** Random source for jitter, for deterministic tests. */
  random?: () => number;
  rateLimitStore?: RateLimitStore;
  cacheStore?: CacheStore;
  fallback?: FallbackHandler;
  /** How much of a streamed body (either way) the call's summary keeps; default the call log's cap, 4096. */
  bodyCopyBytes?: number;
}

export interface ResilientRequest {
  method: string;
  /** Absolute path and query, already validated by the caller. */
  path: string;
  /** Route template for telemetry and cache rules; defaults to the path without its query. */
  route?: string;
  /** The route telemetry reports when it differs from `route` (a cardinality cap folds rare routes into `other`). */
  routeLabel?: string;
  headers?: Record<string, string>;
  /**
   * Bytes are buffered and may be sent again (retries, hedging). A stream is sent once, in one attempt that
   * is never retried nor hedged (its AttemptInfo says `requestBodyStreamed`); its error aborts the upstream
   * request and the call rejects with RequestBodyError (the stream's error as `cause`).
   */
  body?: Uint8Array | string | Readable;
  /** Declared length of a streamed body, sent as content-length (undici refuses a body of another length). */
  bodyLength?: number;
  /**
   * Hand the answer's body over as `ResilientResponse.stream` as soon as its headers arrive, instead of
   * buffering it. Ignored when the request is cacheable (the cache needs the whole body); 5xx answers and
   * statuses the retry policy retries stay buffered (the pipeline may retry or replace them). The call's
   * summary (call.end) is emitted when the body ends or fails; the bulkhead slot is held and the overall
   * deadline and `signal` still apply until then.
   */
  streamResponse?: boolean;
  /** Caller's abort: never retried, rejects with CancelledError. */
  signal?: AbortSignal;
  /**
   * The caller's abort without an AbortSignal (each costs an EventTarget and its listeners per call), for a
   * caller that hears of its own end anyway (a node:http response's `close`): called at once with the
   * call's cancel function; calling that is a caller abort as `signal`'s, until the call (and a streamed
   * body) has ended. Called already cancelled, the call rejects before taking a token or a slot.
   */
  onCancel?: (cancel: (reason?: unknown) => void) => void;
  /** Sent upstream as x-request-id; else an x-request-id request header is kept; else one is generated. */
  requestId?: string;
  /**
   * The call log's key for this call; defaults to the request id. Set it when the request id may repeat
   * (a caller's own x-request-id, resent on its retries), so each call still gets its own row.
   */
  callId?: string;
  /**
   * The caller's W3C trace context, continued by this call (else `traceparent` and `tracestate` request
   * headers are read). An invalid traceparent starts a new trace; tracestate is kept only with a valid one.
   */
  traceparent?: string;
  tracestate?: string;
  /** Rate-limit key of the caller, limited in addition to the integration bucket. */
  callerKey?: string;
  /** Labels carried unchanged to the call's summary, for whoever records it. */
  tags?: Readonly<Record<string, string>>;
  /**
   * Called once per call when an attempt answers 401 (not a streamed body): the headers to resend
   * it with (a second credential, a fresh token) and labels added to `tags`, or undefined to answer
   * the 401. The resend is one more attempt, not counted against the retry policy; a second 401 is
   * the answer. A 401 is then never streamed (`streamResponse`), so it can be replaced.
   */
  reauthorize?: () => Reauthorization | undefined | Promise<Reauthorization | undefined>;
}

/** What `ResilientRequest.reauthorize` gives: headers replacing the request's, labels added to its tags. */
export interface Reauthorization {
  headers: Record<string, string>;
  tags?: Readonly<Record<string, string>>;
}

export interface ResilientResponse {
  status: number;
  headers: Record<string, string>;
  /** Empty when `stream` carries the body. */
  body: Buffer;
  /**
   * The body as it arrives, when `streamResponse` was asked and the answer was streamed. Read it or destroy
   * it: an unread stream holds the connection and the bulkhead slot until the deadline. It errors with the
   * typed ResilienceError that cut it (network reset, overall timeout, cancel).
   */
  stream?: Readable;
  /**
   * True when the whole body was already in `stream` as the call resolved (a small answer arrives with its
   * headers): `stream.read()` returns it in one piece, so a relay can send it without piping.
   */
  streamComplete?: boolean;
  requestId: string;
  upstreamRequestId?: string;
  cache: CallSummary['cache'];
  attempts: AttemptInfo[];
  durationMs: number;
}

/** The shared context plus what only an HTTP call has, which no policy reads. */
class HttpCallContext extends CallContext {
  request!: AttemptRequest;
  method = '';
  route = '';
  path = '';
  trace!: TraceContext;
  /** Generated with the first attempt's headers, which are built once per call. */
  firstAttemptSpanId = '';
  requestHeaders: Record<string, string> = {};
  idempotencyKey: string | undefined;
  upstreamRequestId: string | undefined;
  tags: Readonly<Record<string, string>> | undefined;
  requestBodyCopy: RequestBodyCopy | undefined;
  callId = '';
  reauthorize: ResilientRequest['reauthorize'];
}

function outcomeOfError(error: unknown): CallOutcome {
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof CircuitOpenError) return 'circuit_open';
  if (error instanceof RateLimitedError) return 'rate_limited';
  if (error instanceof BulkheadRejectedError) return 'bulkhead_rejected';
  if (error instanceof CancelledError) return 'cancelled';
  // The caller's own body failed (too large, caller gone): not the upstream's fault.
  if (error instanceof RequestBodyError) return 'client_error';
  return 'network';
}

function asResilienceError(thrown: unknown): ResilienceError {
  return thrown instanceof ResilienceError ? thrown : new NetworkError('other', thrown);
}

function outcomeOfStatus(status: number): CallOutcome {
  return status < 400 ? 'success' : status < 500 ? 'client_error' : 'server_error';
}

/**
 * The resilient HTTP client of one integration. Each call runs
 * fallback → cache → rate limit → overall deadline → retry → breaker → bulkhead → attempt (undici),
 * resolves with any HTTP status and rejects only with a typed ResilienceError.
 */
export class ResilientClient {
  readonly name: string;
  readonly origin: string;
  readonly events = new EventBus();
  readonly breaker: CircuitBreaker;
  readonly bulkhead: Bulkhead;
  readonly cache: ResponseCache;
  readonly rateLimiter: RateLimiter;
  readonly retry: RetryPolicy;
  /** The policies without the HTTP attempt: `client.pipeline.execute(fn, signal)` runs any function. */
  readonly pipeline: Pipeline;
  private readonly httpPipeline: Pipeline;
  private readonly deadline: DeadlinePolicy;
  private readonly fallback: FallbackPolicy;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly clock: Clock;
  private current: Policy;
  private readonly bodyCopyBytes: number;
  /** Which answers a `streamResponse` request gets as a stream: those no policy may retry or replace. */
  private readonly streamedAnswer: StreamedAnswer;
  /** The same for a call that may be resent on a 401 (ResilientRequest.reauthorize). */
  private readonly streamedAnswerBut401: StreamedAnswer;
  private readonly runAttempt = (ctx: CallContext) => this.attempt(ctx as HttpCallContext);
  private readonly attemptRecorder: AttemptObserver = {
    attemptEnded: (ctx, info, result, error) => this.recordAttemptEnd(ctx as HttpCallContext, info, result, error),
  };

  constructor(options: ResilientClientOptions) {
    this.name = options.name;
    this.origin = new URL(options.origin).origin;
    this.current = parsePolicy(options.policy);
    this.clock = options.clock ?? systemClock;
    this.bodyCopyBytes = options.bodyCopyBytes ?? DEFAULT_BODY_COPY_BYTES;
    this.streamedAnswer = {
      when: (status) => status < 500 && !this.current.retry.retryOnStatuses.includes(status),
      copyBytes: this.bodyCopyBytes,
    };
    this.streamedAnswerBut401 = {
      when: (status) => status !== 401 && this.streamedAnswer.when(status),
      copyBytes: this.bodyCopyBytes,
    };
    if (options.onEvent) this.events.onAny(options.onEvent);
    const policy = this.current;
    const env: PolicyEnv = {
      clock: this.clock,
      events: this.events,
      name: this.name,
      random: options.random ?? Math.random,
    };
    this.rateLimiter = new RateLimiter(policy.rateLimit, env, options.rateLimitStore ?? new MemoryRateLimitStore());
    this.deadline = new DeadlinePolicy(policy.timeout, env);
    this.retry = new RetryPolicy(policy.retry, env);
    this.breaker = new CircuitBreaker(policy.breaker, env);
    this.bulkhead = new Bulkhead(policy.bulkhead, env);
    const cacheStore = options.cacheStore ?? new MemoryCacheStore(policy.cache.maxEntries);
    this.cache = new ResponseCache(policy.cache, env, cacheStore);
    this.fallback = new FallbackPolicy(policy.fallback, env, cacheStore, options.fallback);
    const core = [this.rateLimiter, this.deadline, this.retry, this.breaker, this.bulkhead];
    this.pipeline = new Pipeline(core);
    // The cache outside the limiter and the breaker: a fresh hit spends no token and is served whatever the
    // breaker says, and stale-if-error answers the breaker's and the limiter's refusals too.
    this.httpPipeline = new Pipeline([this.fallback, this.cache, ...core]);
    this.ownsDispatcher = options.dispatcher === undefined;
    if (options.dispatcher && options.destinationPolicy)
      throw new Error('a destination policy is enforced by the Pool the client builds: pass no dispatcher with it');
    const connect = options.destinationPolicy
      ? guardedConnector(options.destinationPolicy, { resolve: options.resolveHost })
      : undefined;
    this.dispatcher = options.dispatcher ?? new Pool(this.origin, connect && { connect });
  }

  get policy(): Policy {
    return this.current;
  }

  /** Applies new settings without a restart; breaker state, buckets, budget and cache entries are kept. */
  updatePolicy(input: PolicyInput): void {
    const policy = parsePolicy(input);
    this.current = policy;
    this.rateLimiter.configure(policy.rateLimit);
    this.deadline.configure(policy.timeout);
    this.retry.configure(policy.retry);
    this.breaker.configure(policy.breaker);
    this.bulkhead.configure(policy.bulkhead);
    this.cache.configure(policy.cache);
    this.fallback.configure(policy.fallback);
  }

  async request(req: ResilientRequest): Promise<ResilientResponse> {
    const ctx = this.createContext(req);
    const unlink = req.signal
      ? linkCallerSignal(ctx, req.signal)
      : req.onCancel
        ? linkCallerCancel(ctx, req.onCancel)
        : undefined;
    // Already cancelled: reject before taking a rate-limit token or a bulkhead slot.
    if (ctx.abortReason) throw this.fail(ctx, ctx.abortReason);
    let result: HttpResult;
    try {
      result = (await this.httpPipeline.run(this.runAttempt, ctx)) as HttpResult;
    } catch (error) {
      unlink?.();
      throw this.fail(ctx, error);
    }
    if (result.stream === undefined) {
      unlink?.();
      return this.succeed(ctx, result);
    }
    return this.succeedStreaming(ctx, result, result.stream, unlink);
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private createContext(req: ResilientRequest): HttpCallContext {
    const policy = this.current;
    const ctx = new HttpCallContext();
    const method = req.method.toUpperCase();
    const headers: Record<string, string> = {};
    const explicitTrace = req.traceparent !== undefined || req.tracestate !== undefined;
    let incomingTraceparent = req.traceparent;
    let incomingTracestate = req.tracestate;
    let incomingRequestId: string | undefined;
    let cacheControl: string | undefined;
    if (req.headers) {
      for (const name in req.headers) {
        const lower = name.toLowerCase();
        // These are set below under their canonical names, so a caller's spelling cannot duplicate them.
        if (lower === 'x-request-id') {
          incomingRequestId = req.headers[name];
          continue;
        }
        if (lower === 'traceparent') {
          if (!explicitTrace) incomingTraceparent = req.headers[name];
          continue;
        }
        if (lower === 'tracestate') {
          if (!explicitTrace) incomingTracestate = req.headers[name];
          continue;
        }
        if (lower === 'cache-control') cacheControl = req.headers[name];
        headers[name] = req.headers[name];
      }
    }
    const queryAt = req.path.indexOf('?');
    ctx.method = method;
    ctx.path = req.path;
    const route = req.route ?? (queryAt < 0 ? req.path : req.path.slice(0, queryAt));
    ctx.route = req.routeLabel ?? route;
    ctx.requestId = req.requestId ?? incomingRequestId ?? randomUUID();
    ctx.callId = req.callId ?? ctx.requestId;
    ctx.startedAt = this.clock.now();
    ctx.callerKey = req.callerKey;
    ctx.tags = req.tags;
    const trace = continueTrace(incomingTraceparent, incomingTracestate);
    ctx.trace = trace;
    ctx.firstAttemptSpanId = newSpanId();
    headers['x-request-id'] = ctx.requestId;
    headers.traceparent = traceparentOf(trace, ctx.firstAttemptSpanId);
    if (trace.tracestate !== undefined) headers.tracestate = trace.tracestate;
    ctx.idempotencyKey = ensureIdempotencyKey(method, headers, policy.idempotency);
    ctx.repeatable = isMethodRetryable(method, ctx.idempotencyKey);
    ctx.requestHeaders = headers;
    if (this.cache.appliesTo(method, route, cacheControl)) ctx.cacheKey = this.cacheKey(method, req.path, headers);
    let body = req.body;
    if (isBodyStream(body)) {
      // One attempt only: the stream cannot be read twice (Envoy's retry buffer overflow).
      ctx.repeatable = false;
      ctx.requestBodyCopy = new RequestBodyCopy(body, this.bodyCopyBytes);
      body = ctx.requestBodyCopy;
      if (req.bodyLength !== undefined) headers['content-length'] = String(req.bodyLength);
    }
    if (!ctx.requestBodyCopy) ctx.reauthorize = req.reauthorize;
    const streamAnswer =
      req.streamResponse && ctx.cacheKey === undefined
        ? ctx.reauthorize
          ? this.streamedAnswerBut401
          : this.streamedAnswer
        : undefined;
    ctx.request = { origin: this.origin, method, path: req.path, headers, body, streamAnswer };
    return ctx;
  }

  private cacheKey(method: string, path: string, headers: Record<string, string>): string {
    let key = `${method} ${this.origin}${path}`;
    const vary = this.current.cache.varyHeaders;
    if (vary.length === 0) return key;
    const lowered: Record<string, string> = {};
    for (const name in headers) lowered[name.toLowerCase()] = headers[name];
    for (const name of vary) key += `\n${name}: ${lowered[name] ?? ''}`;
    return key;
  }

  private attempt(ctx: HttpCallContext): Promise<HttpResult> {
    const sent = this.attemptOnce(ctx);
    return ctx.reauthorize ? sent.then((result) => this.resendUnauthorized(ctx, result)) : sent;
  }

  /** A 401 resent once with the credential `reauthorize` gives, inside the same retry attempt. */
  private async resendUnauthorized(ctx: HttpCallContext, result: HttpResult): Promise<HttpResult> {
    const reauthorize = ctx.reauthorize;
    // A 401 was not acted on, so any method may be resent; a streamed body cannot be read twice.
    if (result.status !== 401 || !reauthorize || ctx.requestBodyCopy) return result;
    ctx.reauthorize = undefined;
    const replacement = await reauthorize();
    if (!replacement) return result;
    // Later attempts copy requestHeaders; the first attempt's request shares the object.
    Object.assign(ctx.requestHeaders, replacement.headers);
    if (replacement.tags) ctx.tags = { ...ctx.tags, ...replacement.tags };
    return this.attemptOnce(ctx);
  }

  private attemptOnce(ctx: HttpCallContext): Promise<HttpResult> {
    const hedging = this.current.hedging;
    if (!hedging.enabled || !ctx.repeatable) return this.sendRecorded(ctx, false);
    return hedge(
      (hedged, handle) => this.sendRecorded(ctx, hedged, handle),
      hedging.delayMs,
      this.clock,
      () => {
        if (!this.events.wants('hedge.started')) return;
        const at = this.clock.now();
        this.events.emit({
          type: 'hedge.started',
          integration: this.name,
          requestId: ctx.requestId,
          at,
          attempt: ctx.attempts.length + 1,
        });
      },
    );
  }

  /**
   * One attempt with its AttemptInfo and attempt events. Each attempt is its own span: the first sends the
   * call's headers, every later one (a retry, or a hedge running at the same time) a copy with its own
   * traceparent, so no attempt's headers change under another in flight.
   */
  private sendRecorded(ctx: HttpCallContext, hedged: boolean, handle?: AttemptAbortHandle): Promise<HttpResult> {
    const startedAt = this.clock.now();
    const number = ctx.attempts.length + 1;
    const first = number === 1;
    const spanId = first ? ctx.firstAttemptSpanId : newSpanId();
    const info: AttemptInfo = {
      number,
      startedAt,
      durationMs: 0,
      delayBeforeMs: ctx.nextDelayMs,
      spanId,
    };
    if (ctx.nextDelayReason !== undefined) info.delayReason = ctx.nextDelayReason;
    if (hedged) info.hedged = true;
    if (ctx.requestBodyCopy) info.requestBodyStreamed = true;
    ctx.nextDelayMs = 0;
    ctx.nextDelayReason = undefined;
    ctx.attempts.push(info);
    if (this.events.wants('attempt.start')) {
      this.events.emit({
        type: 'attempt.start',
        integration: this.name,
        requestId: ctx.requestId,
        at: startedAt,
        attempt: info.number,
        hedged,
      });
    }
    const request = first
      ? ctx.request
      : { ...ctx.request, headers: { ...ctx.requestHeaders, traceparent: traceparentOf(ctx.trace, spanId) } };
    return sendAttempt(
      this.dispatcher,
      request,
      ctx,
      this.clock,
      this.deadline.attemptMs,
      info,
      this.attemptRecorder,
      handle,
    );
  }

  /** Completes an attempt's record as it settles. */
  private recordAttemptEnd(
    ctx: HttpCallContext,
    info: AttemptInfo,
    result: HttpResult | undefined,
    error: Error | undefined,
  ): void {
    const endedAt = this.clock.now();
    info.durationMs = endedAt - info.startedAt;
    if (result) {
      info.status = result.status;
      // The first streamed answer is the one the call returns: a hedged loser that also reached its headers
      // is aborted and must not decide when the bulkhead slot and the deadline are released.
      if (result.stream && ctx.openBody === undefined) ctx.openBody = result.stream;
      const tracking = upstreamTrackingId(result.headers, this.current.trackingHeaders);
      if (tracking !== undefined) ctx.upstreamRequestId = tracking;
    } else info.errorType = (error as ResilienceError).errorType ?? 'unknown';
    if (this.events.wants('attempt.end')) {
      this.events.emit({
        type: 'attempt.end',
        integration: this.name,
        requestId: ctx.requestId,
        at: endedAt,
        attempt: info,
      });
    }
  }

  private succeed(ctx: HttpCallContext, result: HttpResult): ResilientResponse {
    const durationMs = this.clock.now() - ctx.startedAt;
    if (this.events.wants('call.end')) {
      const outcome = ctx.outcomeOverride ?? outcomeOfStatus(result.status);
      this.events.emit({ type: 'call.end', summary: this.summarize(ctx, durationMs, outcome, result) });
    }
    const response: ResilientResponse = {
      status: result.status,
      headers: result.headers,
      body: result.body,
      requestId: ctx.requestId,
      cache: ctx.cache,
      attempts: ctx.attempts,
      durationMs,
    };
    if (ctx.upstreamRequestId !== undefined) response.upstreamRequestId = ctx.upstreamRequestId;
    return response;
  }

  /**
   * Resolves at the headers with the body as a stream; the call's summary waits for the body to end or
   * fail, so its duration includes the body and a body cut midway is recorded as the failure it is.
   */
  private succeedStreaming(
    ctx: HttpCallContext,
    result: HttpResult,
    stream: ResponseBodyStream,
    unlink: (() => void) | undefined,
  ): ResilientResponse {
    stream.onSettled((error) => {
      unlink?.();
      const durationMs = this.clock.now() - ctx.startedAt;
      const failure = error === undefined ? undefined : asResilienceError(error);
      const outcome = failure ? outcomeOfError(failure) : (ctx.outcomeOverride ?? outcomeOfStatus(result.status));
      const summary = this.summarize(ctx, durationMs, outcome, result, failure);
      summary.responseBody = stream.copy;
      summary.responseBodyBytes = stream.bytesReceived;
      this.events.emit({ type: 'call.end', summary });
    });
    const response: ResilientResponse = {
      status: result.status,
      headers: result.headers,
      body: result.body,
      stream,
      streamComplete: stream.arrivedWhole,
      requestId: ctx.requestId,
      cache: ctx.cache,
      attempts: ctx.attempts,
      durationMs: this.clock.now() - ctx.startedAt,
    };
    if (ctx.upstreamRequestId !== undefined) response.upstreamRequestId = ctx.upstreamRequestId;
    return response;
  }

  private fail(ctx: HttpCallContext, thrown: unknown): ResilienceError {
    const cause = asResilienceError(thrown);
    const summary = this.summarize(ctx, this.clock.now() - ctx.startedAt, outcomeOfError(cause), undefined, cause);
    const error = cause.endingCall(summary);
    this.events.emit({ type: 'call.end', summary });
    return error;
  }

  private summarize(
    ctx: HttpCallContext,
    durationMs: number,
    outcome: CallOutcome,
    result?: HttpResult,
    error?: ResilienceError,
  ): CallSummary {
    const summary: CallSummary = {
      integration: this.name,
      requestId: ctx.requestId,
      callId: ctx.callId,
      method: ctx.method,
      route: ctx.route,
      path: ctx.path,
      startedAt: ctx.startedAt,
      durationMs,
      outcome,
      attempts: ctx.attempts,
      retries: ctx.retries,
      cache: ctx.cache,
      rateLimitWaitMs: ctx.rateLimitWaitMs,
      rateLimited: ctx.rateLimited,
      trace: ctx.trace,
      requestHeaders: ctx.requestHeaders,
    };
    if (ctx.requestBodyCopy) {
      summary.requestBody = ctx.requestBodyCopy.copy;
      summary.requestBodyBytes = ctx.requestBodyCopy.bytesSent;
    } else if (ctx.request.body !== undefined) summary.requestBody = ctx.request.body as Uint8Array | string;
    if (ctx.tags !== undefined) summary.tags = ctx.tags;
    if (ctx.breakerProbe) summary.breakerProbe = true;
    if (result) {
      summary.status = result.status;
      summary.responseHeaders = result.headers;
      summary.responseBody = result.body;
      if (result.status >= 400) summary.errorType = String(result.status);
    }
    if (error) summary.errorType = error.errorType;
    if (ctx.upstreamRequestId !== undefined) summary.upstreamRequestId = ctx.upstreamRequestId;
    return summary;
  }
}
