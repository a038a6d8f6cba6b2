import type { HeaderLookup } from './verdict';

/**
 * A delivery as any HTTP server has it: a WHATWG `Headers` (a Next route) or node:http's
 * `IncomingMessage.headers` (lower-case names), and the body as an async iterable of bytes (a
 * `ReadableStream` or the `IncomingMessage` itself). No Request object is needed on the data plane.
 */
export interface WebhookDelivery {
  headers: Headers | Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
}

/** What the sender is answered: the status and the JSON body (`{id, duplicate}` or `{error, reason}`). */
export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** The delivery's headers, read by name and listed whole, whichever form they came in. */
export interface DeliveryHeaders extends HeaderLookup {
  entries(): [string, string][];
}

export function deliveryHeaders(headers: WebhookDelivery['headers']): DeliveryHeaders {
  if (headers instanceof Headers) return { get: (name) => headers.get(name), entries: () => [...headers.entries()] };
  // node:http gives repeated headers as arrays (set-cookie) and names in lower case.
  const text = (value: string | string[] | undefined) =>
    value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  return {
    get: (name) => text(headers[name.toLowerCase()]),
    entries: () =>
      Object.entries(headers).flatMap(([name, value]) => {
        const joined = text(value);
        return joined === null ? [] : [[name.toLowerCase(), joined] as [string, string]];
      }),
  };
}

/**
 * Reads the body up to `max` bytes; null when it is larger (declared or actual). Reading stops at the
 * limit without draining or destroying the body, so the server can still answer 413 (and should then
 * close the connection rather than read the rest).
 */
export async function readLimited(
  body: AsyncIterable<Uint8Array>,
  contentLength: string | null,
  max: number,
): Promise<Uint8Array | null> {
  if (Number(contentLength ?? 0) > max) return null;
  const iterator = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await iterator.next();
    if (done) break;
    size += value.byteLength;
    if (size > max) return null;
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}
