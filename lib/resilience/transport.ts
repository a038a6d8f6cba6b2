import type { Dispatcher } from 'undici';
import type { Clock } from './clock.ts';
import type { CallContext } from './context.ts';
import { DestinationRefusedError } from './destination.ts';
import { NetworkError, type NetworkErrorKind, ResilienceError, TimeoutError } from './errors.ts';
import type { AttemptInfo } from './events.ts';

/** Told when an attempt settles, before its promise does: no extra promise layer to record it. */
export interface AttemptObserver {
  attemptEnded(ctx: CallContext, info: AttemptInfo, result: HttpResult | undefined, error: Error | undefined): void;
}

/** One upstream answer as the pipeline sees it. */
export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface AttemptRequest {
  origin: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | string | undefined;
}

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
 * (the Pool.request body stream is a large share of its per-request cost), and aborts the socket on
 * attempt timeout, overall deadline or caller cancel.
 */
class AttemptHandler implements Dispatcher.DispatchHandler {
  status = 0;
  headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
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
  ) {
    this.timer = clock.setTimer(abortOnAttemptTimeout, timeoutMs, this);
    this.unsubscribe = ctx.onAbort((reason) => this.abort(reason));
  }

  abort(reason: Error): void {
    if (this.settled) return;
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
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode;
    this.headers = flattenHeaders(headers);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    const chunks = this.chunks;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const result = { status: this.status, headers: this.headers, body };
    this.finish(result, undefined);
    this.resolve(result);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(classifyTransportError(error, this.timeoutMs));
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
    const handler = new AttemptHandler(resolve, reject, clock, attemptMs, ctx, info, observer);
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
