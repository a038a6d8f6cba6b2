import type { IncomingMessage } from 'node:http';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { setting } from '@/lib/server/env';
import { BodyTooLargeError, MAX_BODY_BYTES } from './responses';

export interface GatewayBodyLimits {
  /** Past this the caller gets 413 (BodyTooLargeError), declared or while streaming. */
  maxBytes: number;
  /** Up to this a body is buffered (retries, hedging, replays work); past it, it streams in one attempt. */
  retryBufferBytes: number;
}

/** A gateway request body: bytes the client may send again, or a stream it sends once. */
export type GatewayBody = { body: Uint8Array | undefined } | { stream: Readable; length?: number };

export function gatewayBodyLimits(): GatewayBodyLimits {
  return { maxBytes: MAX_BODY_BYTES, retryBufferBytes: setting('BREAKWATER_RETRY_BUFFER_BYTES') };
}

/**
 * Passes a streamed body on while counting it: past the limit it errors with BodyTooLargeError, so the
 * upstream request is aborted rather than ended with a cut body.
 */
class LimitedBody extends Transform {
  private bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) callback(new BodyTooLargeError());
    else callback(null, chunk);
  }
}

/** The caller went away before its body ended: the upstream must not get it as complete either. */
class CallerClosedError extends Error {
  constructor() {
    super('the caller closed the request before its body ended');
  }
}

/** `source` from where reading stopped, after the bytes already read, under the body limit. */
function limitedStream(source: Readable, alreadyRead: Buffer[], maxBytes: number): Readable {
  const limited = new LimitedBody(maxBytes);
  for (const chunk of alreadyRead) limited.write(chunk);
  source.once('error', (error) => limited.destroy(error));
  source.once('close', () => {
    if (!source.readableEnded) limited.destroy(new CallerClosedError());
  });
  source.pipe(limited);
  return limited;
}

/**
 * Reads a request body as the gateway forwards it (Envoy's retry buffer): nothing for GET and HEAD; a
 * declared length past `maxBytes` throws BodyTooLargeError before anything is sent; a body that fits
 * `retryBufferBytes` is returned as bytes; a larger one (declared, or a chunked one that outgrows the
 * buffer) is returned as a stream of the whole body that errors with BodyTooLargeError past `maxBytes`.
 */
export function requestBodyOf(
  source: Readable,
  method: string,
  declaredLength: number | undefined,
  limits: GatewayBodyLimits = gatewayBodyLimits(),
): Promise<GatewayBody> {
  if (method === 'GET' || method === 'HEAD') {
    source.resume();
    return Promise.resolve({ body: undefined });
  }
  if (declaredLength !== undefined && declaredLength > limits.maxBytes) return Promise.reject(new BodyTooLargeError());
  if (declaredLength !== undefined && declaredLength > limits.retryBufferBytes)
    return Promise.resolve({ stream: limitedStream(source, [], limits.maxBytes), length: declaredLength });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      source.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > limits.maxBytes) {
        stop();
        reject(new BodyTooLargeError());
      } else if (size > limits.retryBufferBytes) {
        stop();
        source.pause();
        resolve({ stream: limitedStream(source, chunks, limits.maxBytes) });
      }
    };
    const onEnd = () => {
      stop();
      resolve({ body: size ? Buffer.concat(chunks) : undefined });
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => {
      if (source.readableEnded) return;
      stop();
      reject(new CallerClosedError());
    };
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onError);
    source.on('close', onClose);
  });
}

/** The body of a gateway request on node:http (see requestBodyOf). */
export function gatewayRequestBody(
  req: IncomingMessage,
  limits: GatewayBodyLimits = gatewayBodyLimits(),
): Promise<GatewayBody> {
  const declared = req.headers['content-length'];
  return requestBodyOf(req, req.method ?? 'GET', declared === undefined ? undefined : Number(declared), limits);
}
