import { jsonError } from '@/lib/api';
import { log } from '@/lib/logging';
import {
  BulkheadRejectedError,
  CancelledError,
  CircuitOpenError,
  DestinationRefusedError,
  NetworkError,
  RateLimitedError,
  type ResilientResponse,
  TimeoutError,
} from '@/lib/resilience';
import { SecretUnavailableError } from '@/lib/secrets';
import { setting } from '@/lib/server/env';

export const MAX_BODY_BYTES = setting('BREAKWATER_MAX_BODY_BYTES');

const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'trailer',
  // The gateway answers on Breakwater's own origin: a cookie the upstream sets would be stored for
  // Breakwater (and sent with every dashboard request), so the upstream's cookies are not passed on.
  'set-cookie',
]);

/**
 * Headers on every gateway answer. An upstream's HTML or script must not run as Breakwater's origin (it
 * could read the dashboard's API with the admin's cookie): no sniffing, and a sandbox with nothing allowed.
 */
const GATEWAY_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "sandbox; default-src 'none'",
};

export function withGatewaySecurityHeaders(response: Response): Response {
  for (const [name, value] of Object.entries(GATEWAY_SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
}

/** Reads a request body up to the limit; an oversized one gets 413 before anything is sent upstream. */
export async function readBody(
  request: Request,
): Promise<{ ok: true; bytes?: Uint8Array } | { ok: false; response: Response }> {
  if (request.method === 'GET' || request.method === 'HEAD' || !request.body) return { ok: true };
  const declared = Number(request.headers.get('content-length') ?? 0);
  const tooLarge = () => jsonError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`, { field: '(body)' });
  if (declared > MAX_BODY_BYTES) return { ok: false, response: tooLarge() };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return { ok: false, response: tooLarge() };
    chunks.push(chunk);
  }
  return { ok: true, bytes: size ? Buffer.concat(chunks) : undefined };
}

export function responseHeaders(response: ResilientResponse): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers))
    if (!DROPPED_RESPONSE_HEADERS.has(name)) headers.set(name, value);
  headers.set('x-request-id', response.requestId);
  if (response.upstreamRequestId) headers.set('x-upstream-request-id', response.upstreamRequestId);
  headers.set('x-breakwater-attempts', String(response.attempts.length));
  headers.set('x-breakwater-cache', response.cache);
  return headers;
}

/** What a caller gets when the call did not produce an upstream answer. */
export function gatewayErrorResponse(error: unknown, requestId: string): Response {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
  if (retryAfter !== undefined && retryAfter > 0) headers['retry-after'] = String(Math.ceil(retryAfter / 1000));
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SecretUnavailableError) {
    log.warn({ variable: error.variable, requestId }, 'gateway call refused: its secret cannot be used');
    return jsonError(503, message, { field: 'secretEnv' }, headers);
  }
  if (error instanceof TimeoutError) return jsonError(504, message, {}, headers);
  if (error instanceof CircuitOpenError) return jsonError(503, message, {}, headers);
  if (error instanceof BulkheadRejectedError) return jsonError(503, message, {}, headers);
  if (error instanceof RateLimitedError) return jsonError(429, message, {}, headers);
  if (error instanceof DestinationRefusedError) return jsonError(403, message, { field: 'baseUrl' }, headers);
  if (error instanceof NetworkError) return jsonError(502, message, {}, headers);
  if (error instanceof CancelledError) return jsonError(499, 'the caller closed the request', {}, headers);
  log.error({ err: error, requestId }, 'gateway call failed unexpectedly');
  return jsonError(500, `internal error (request id ${requestId})`, {}, headers);
}
