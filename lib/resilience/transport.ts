import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Clock } from './clock.ts';
import type { CallContext } from './context.ts';
import { DestinationRefusedError } from './destination.ts';
import { NetworkError, type NetworkErrorKind, RequestBodyError, ResilienceError, TimeoutError } from './errors.ts';
import type { AttemptInfo } from './events.ts';
import { ResponseBodyStream } from './streaming.ts';

/** Told when an attempt settles, before its promise does: no extra promise layer to record it. */
export interface AttemptObserver {
  attemptEnded(ctx: CallContext, info: AttemptInfo, result: HttpResult | undefined, error: Error | undefined): void;
}

/** One upstream answer as the pipeline sees it. */
export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  /** Empty when `stream` carries the body. */
  body: Buffer;
  /** The body, still arriving, when the request asked for a streamed answer and got one. */
  stream?: ResponseBodyStream;
}

/** Asks for the body of answers with `when(status)` true as a stream, copying `copyBytes` for the log. */
export interface StreamedAnswer {
  when: (status: number) => boolean;
  copyBytes: number;
}

export interface AttemptRequest {
  origin: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | string | Readable | undefined;
  /** Undefined: every answer is buffered whole. */
  streamAnswer: StreamedAnswer | undefined;
}

const EMPTY = Buffer.alloc(0);

const networkKinds: Record<string, NetworkErrorKind> = {
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  ETIMEDOUT: 'connect_timeout',
};

/** Turns whatever undici or the OS threw into one of our typed errors. */
export function classifyTransportError(error: unknown, attemptMs: number): ResilienceError {
  // One refusal fails every request queued on the connection: each call gets its own error to annotate.
  if (error instanceof DestinationRefusedError) return new DestinationRefusedError(error.host, error.reason);
  if (error instanceof ResilienceError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return new TimeoutError('attempt', attemptMs);
  return new NetworkError(networkKinds[code] ?? 'other', error);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return flat;
}

function abortOnAttemptTimeout(arg: unknown): void {
  const handler = arg as AttemptHandler;
  handler.abort(new TimeoutError('attempt', handler.timeoutMs));
}

/**
 * undici's dispatch handler for one attempt: collects the body into a Buffer without building a stream
 * (the Pool.request body stream is a large share of its per-request cost), or hands it over as a
 * ResponseBodyStream when the request asked for that; aborts the socket on attempt timeout, overall
 * deadline or caller cancel.
 */
class AttemptHandler implements Dispatcher.DispatchHandler {
  status = 0;
  headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private stream: ResponseBodyStream | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  private pendingAbort: Error | undefined;
  private settled = false;
  private timer: unknown;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly resolve: (result: HttpResult) => void,
    private readonly reject: (error: Error) => void,
    private readonly clock: Clock,
    readonly timeoutMs: number,
    private readonly ctx: CallContext,
    private readonly info: AttemptInfo | undefined,
    private readonly observer: AttemptObserver | undefined,
    private readonly request: AttemptRequest,
  ) {
    this.timer = clock.setTimer(abortOnAttemptTimeout, timeoutMs, this);
    this.unsubscribe = ctx.onAbort((reason) => this.abort(reason));
  }

  abort(reason: Error): void {
    if (this.settled) {
      // Settled at its headers: the streamed body is still open and is what gets cut.
      if (this.stream) this.controller?.abort(reason);
      return;
    }
    if (this.controller) this.controller.abort(reason);
    else this.pendingAbort = reason;
    // undici reports the abort through onResponseError; settle now in case the request never started.
    this.fail(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode;
    this.headers = flattenHeaders(headers);
    const streamAnswer = this.request.streamAnswer;
    if (streamAnswer?.when(statusCode)) this.startStream(controller, streamAnswer.copyBytes);
  }

  /**
   * Resolves the attempt at its headers with the body as a stream. The attempt timeout stops here (it
   * covers the headers, as undici's headersTimeout); the abort hook stays until the body settles, so the
   * deadline and the caller's cancel still cut it.
   */
  private startStream(controller: Dispatcher.DispatchController, copyBytes: number): void {
    const stream = new ResponseBodyStream(controller, copyBytes);
    this.stream = stream;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    stream.onSettled(() => unsubscribe?.());
    const result: HttpResult = { status: this.status, headers: this.headers, body: EMPTY, stream };
    this.finish(result, undefined);
    this.resolve(result);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.stream) this.stream.deliver(chunk);
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.stream) {
      this.stream.complete();
      return;
    }
    if (this.settled) return;
    const chunks = this.chunks;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const result = { status: this.status, headers: this.headers, body };
    this.finish(result, undefined);
    this.resolve(result);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.stream) this.stream.fail(classifyTransportError(error, this.timeoutMs));
    else {
      // A streamed request body that failed (past the caller's limit, caller gone) is why undici aborted.
      const bodyError = (this.request.body as Readable | undefined)?.errored;
      this.fail(bodyError ? new RequestBodyError(bodyError) : classifyTransportError(error, this.timeoutMs));
    }
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.finish(undefined, error);
    this.reject(error);
  }

  private finish(result: HttpResult | undefined, error: Error | undefined): void {
    this.settled = true;
    this.clock.clearTimer(this.timer);
    this.unsubscribe?.();
    if (this.info && this.observer) this.observer.attemptEnded(this.ctx, this.info, result, error);
  }
}

/**
 * Sends one attempt through the dispatcher. `observer` hears about `info`'s attempt when it settles;
 * `abortable` lets hedging cancel the loser.
 */
export function sendAttempt(
  dispatcher: Dispatcher,
  request: AttemptRequest,
  ctx: CallContext,
  clock: Clock,
  attemptMs: number,
  info?: AttemptInfo,
  observer?: AttemptObserver,
  abortable?: { abort?: (reason: Error) => void },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    if (ctx.abortReason) {
      observer?.attemptEnded(ctx, info as AttemptInfo, undefined, ctx.abortReason);
      return reject(ctx.abortReason);
    }
    const handler = new AttemptHandler(resolve, reject, clock, attemptMs, ctx, info, observer, request);
    if (abortable) abortable.abort = (reason) => handler.abort(reason);
    try {
      dispatcher.dispatch(
        {
          origin: request.origin,
          method: request.method as Dispatcher.HttpMethod,
          path: request.path,
          headers: request.headers,
          body: request.body,
        },
        handler,
      );
    } catch (error) {
      handler.onResponseError(undefined as never, error as Error);
    }
  });
}
