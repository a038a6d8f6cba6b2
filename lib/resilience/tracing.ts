import { randomUUID } from 'node:crypto';

const traceparentFormat = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

/**
 * W3C traceparent for the upstream call: keeps the caller's trace id (and sampling flag) when it sent one,
 * with a new parent id for our hop; otherwise starts a new sampled trace.
 */
export function nextTraceparent(incoming: string | undefined): string {
  const spanId = randomUUID().replaceAll('-', '').slice(0, 16);
  const match = incoming ? traceparentFormat.exec(incoming.trim().toLowerCase()) : null;
  if (match) return `00-${match[1]}-${spanId}-${match[3]}`;
  return `00-${randomUUID().replaceAll('-', '')}-${spanId}-01`;
}

/** First configured tracking header present on the response (names lower-cased). */
export function upstreamTrackingId(headers: Record<string, string>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) return value;
  }
  return undefined;
}
