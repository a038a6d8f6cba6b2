import { randomUUID } from 'node:crypto';
import type { Policy } from './options.ts';

// Everything retry does not consider safe to repeat (retryable.ts); PUT and DELETE included.
const methodsNeedingKey = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Returns the request's idempotency key, adding a generated one to unsafe requests that carry none when
 * the policy says so. The key is set once per call, so every attempt sends the same one.
 */
export function ensureIdempotencyKey(
  method: string,
  headers: Record<string, string>,
  options: Policy['idempotency'],
): string | undefined {
  // Safe methods are retryable without a key, so their headers need no scan.
  if (!methodsNeedingKey.has(method)) return undefined;
  const wanted = options.header.toLowerCase();
  for (const name in headers) if (name.toLowerCase() === wanted) return headers[name];
  if (!options.generate) return undefined;
  const key = randomUUID();
  headers[options.header] = key;
  return key;
}
