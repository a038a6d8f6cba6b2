import { randomFillSync } from 'node:crypto';

const traceparentFormat = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

/**
 * W3C traceparent for the upstream call: keeps the caller's trace id (and sampling flag) when it sent one,
 * with a new parent id for our hop; otherwise starts a new sampled trace.
 */
export function nextTraceparent(incoming: string | undefined): string {
  const spanId = randomHex(8);
  const match = incoming ? traceparentFormat.exec(incoming.trim().toLowerCase()) : null;
  if (match) return `00-${match[1]}-${spanId}-${match[3]}`;
  return `00-${randomHex(16)}-${spanId}-01`;
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
