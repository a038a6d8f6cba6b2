import { randomFillSync } from 'node:crypto';

/**
 * One call's place in a W3C trace: the trace, our span for the logical call, the caller's span it
 * continues (when the caller sent a valid `traceparent`), the sampling flags and the caller's `tracestate`.
 */
export interface TraceContext {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  flags: string;
  tracestate?: string;
}

/** A valid incoming `traceparent`, split. */
export interface Traceparent {
  traceId: string;
  spanId: string;
  flags: string;
}

const traceparentFormat = /^00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
const MAX_TRACESTATE_LENGTH = 512;

/**
 * A `traceparent` as W3C Trace Context level 1 defines version 00: lower-case hex, non-zero trace and
 * span ids. Anything else is no context at all (a new trace starts).
 */
export function parseTraceparent(value: string | undefined): Traceparent | undefined {
  if (value === undefined) return undefined;
  const match = traceparentFormat.exec(value.trim());
  if (!match || match[1] === ZERO_TRACE_ID || match[2] === ZERO_SPAN_ID) return undefined;
  return { traceId: match[1], spanId: match[2], flags: match[3] };
}

/**
 * The caller's `tracestate`, passed through as is when it is at most 512 characters without control
 * characters; otherwise dropped. Checked loosely on purpose: its members belong to other vendors.
 */
export function acceptedTracestate(value: string | undefined): string | undefined {
  if (value === undefined || value.length === 0 || value.length > MAX_TRACESTATE_LENGTH) return undefined;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return undefined;
  }
  return value;
}

/**
 * Our context for one hop: the caller's trace continued under a new span id (the caller's tracestate
 * kept only with a valid traceparent, as W3C requires), or a new sampled trace.
 */
export function continueTrace(traceparent: string | undefined, tracestate: string | undefined): TraceContext {
  const parent = parseTraceparent(traceparent);
  if (!parent) return { traceId: randomHex(16), spanId: randomHex(8), flags: '01' };
  const context: TraceContext = {
    traceId: parent.traceId,
    spanId: randomHex(8),
    parentSpanId: parent.spanId,
    flags: parent.flags,
  };
  const state = acceptedTracestate(tracestate);
  if (state !== undefined) context.tracestate = state;
  return context;
}

/** The `traceparent` that makes `spanId` the parent of whatever the receiver does. */
export function traceparentOf(trace: TraceContext, spanId: string): string {
  return `00-${trace.traceId}-${spanId}-${trace.flags}`;
}

/** A new random span id (8 bytes, hex). */
export function newSpanId(): string {
  return randomHex(8);
}

// Random bytes drawn in blocks, as crypto.randomUUID does: one syscall per few hundred ids, not per id.
const randomPool = Buffer.alloc(65_536);
let randomOffset = randomPool.length;

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const hex = randomPool.toString('hex', randomOffset, randomOffset + bytes);
  randomOffset += bytes;
  return hex;
}

/** First configured tracking header present on the response (names lower-cased). */
export function upstreamTrackingId(headers: Record<string, string>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) return value;
  }
  return undefined;
}
