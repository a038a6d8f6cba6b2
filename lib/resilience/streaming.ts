import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { OpenBody } from './context.ts';
import { CancelledError } from './errors.ts';

/** What the call log keeps of a streamed body by default: its cap (lib/redaction DEFAULT_BODY_CAP_BYTES). */
export const DEFAULT_BODY_COPY_BYTES = 4096;

/** How much of a streamed response is buffered ahead of a slow reader before the socket is paused. */
const RESPONSE_HIGH_WATER_MARK = 64 * 1024;

const EMPTY = Buffer.alloc(0);

/** The first `limit` bytes of a body that passes through, and its full length. */
class BoundedCopy {
  bytes = 0;
  private readonly chunks: Buffer[] = [];
  private kept = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.kept >= this.limit) return;
    const part = chunk.length <= this.limit - this.kept ? chunk : chunk.subarray(0, this.limit - this.kept);
    // Copied: a slice would keep the whole socket read alive as long as the call log entry.
    this.chunks.push(Buffer.from(part));
    this.kept += part.length;
  }

  get copy(): Buffer {
    return this.chunks.length === 0 ? EMPTY : Buffer.concat(this.chunks);
  }
}

/**
 * A response body handed to the caller as it arrives from the upstream. A reader that falls behind pauses
 * the upstream socket once `RESPONSE_HIGH_WATER_MARK` bytes wait (undici's controller pause/resume), so a
 * slow reader never makes the client hold the whole body. Destroying it (the caller went away) aborts the
 * upstream request. It settles once: when the upstream's body ended, or failed (upstream reset, deadline,
 * caller cancel, reader destroyed).
 */
export class ResponseBodyStream extends Readable implements OpenBody {
  private readonly received: BoundedCopy;
  private settled = false;
  private failure: Error | undefined;
  private settledListeners: ((error: Error | undefined) => void)[] = [];

  constructor(
    private readonly controller: Dispatcher.DispatchController,
    copyBytes: number,
  ) {
    super({ highWaterMark: RESPONSE_HIGH_WATER_MARK });
    this.received = new BoundedCopy(copyBytes);
  }

  /** Bytes received from the upstream so far. */
  get bytesReceived(): number {
    return this.received.bytes;
  }

  /** The first bytes of the body, bounded for the call log. */
  get copy(): Buffer {
    return this.received.copy;
  }

  /** Whether the whole body has arrived (it may still be unread): `read()` then returns it in one piece. */
  get arrivedWhole(): boolean {
    return this.settled && this.failure === undefined;
  }

  /** Why the body did not arrive whole, once it settled that way. */
  get failed(): Error | undefined {
    return this.failure;
  }

  onSettled(listener: (error: Error | undefined) => void): void {
    if (this.settled) listener(this.failure);
    else this.settledListeners.push(listener);
  }

  override _read(): void {
    this.controller.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.settled) {
      // Only the reader destroys an unsettled body (a caller gone, a pipeline whose other end closed).
      const reason = new CancelledError(error ?? 'the reader of the response body stopped');
      this.controller.abort(reason);
      this.settle(reason);
    }
    callback(error);
  }

  /** A chunk from the upstream (transport.ts). */
  deliver(chunk: Buffer): void {
    this.received.add(chunk);
    if (!this.push(chunk)) this.controller.pause();
  }

  /** The upstream's body ended (transport.ts). */
  complete(): void {
    if (this.settled) return;
    this.settle(undefined);
    this.push(null);
  }

  /** The upstream's body failed midway (transport.ts); readers see `error`. */
  fail(error: Error): void {
    if (this.settled) return;
    this.settle(error);
    this.destroy(error);
  }

  private settle(error: Error | undefined): void {
    this.settled = true;
    this.failure = error;
    const listeners = this.settledListeners;
    this.settledListeners = [];
    for (const listener of listeners) listener(error);
  }
}

/**
 * Passes a streamed request body to the upstream unchanged and keeps its first bytes for the call log. An
 * error of the source (past the body limit, the caller went away) destroys it with that error, which aborts
 * the upstream request.
 */
export class RequestBodyCopy extends Transform {
  private readonly sent: BoundedCopy;

  constructor(source: Readable, copyBytes: number) {
    super();
    this.sent = new BoundedCopy(copyBytes);
    source.once('error', (error) => this.destroy(error));
    source.pipe(this);
  }

  /** Bytes taken from the source so far. */
  get bytesSent(): number {
    return this.sent.bytes;
  }

  get copy(): Buffer {
    return this.sent.copy;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sent.add(chunk);
    callback(null, chunk);
  }
}

/** Whether a request body is a stream to send once, rather than bytes the pipeline may send again. */
export function isBodyStream(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';
}
