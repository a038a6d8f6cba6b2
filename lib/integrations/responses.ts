import type { ApiErrorBody } from '@/lib/api';
import { log } from '@/lib/logging';
import { DomainError, isDomainError } from '@/lib/model';
import type { ResilientResponse } from '@/lib/resilience';
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

/** A gateway answer as plain values, for a node:http response or a WHATWG one alike. */
export interface GatewayAnswer {
  status: number;
  headers: Record<string, string>;
  body: ApiErrorBody;
}

/** A JSON error answer of the gateway: the project's one error shape, the request id, the security headers. */
export function gatewayError(
  status: number,
  error: string,
  requestId: string,
  extra: Omit<ApiErrorBody, 'error'> = {},
  headers: Record<string, string> = {},
): GatewayAnswer {
  return {
    status,
    headers: { ...GATEWAY_SECURITY_HEADERS, ...headers, 'x-request-id': requestId },
    body: { error, ...extra },
  };
}

/** A gateway request body over MAX_BODY_BYTES (413), refused before anything is sent upstream. */
export class BodyTooLargeError extends DomainError {
  constructor() {
    super(`request body exceeds ${MAX_BODY_BYTES} bytes`, 413, 'body_too_large', '(body)');
  }
}

/** The headers a caller gets with an upstream's answer: its own minus hop-by-hop ones, plus Breakwater's. */
export function responseHeaders(response: ResilientResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers))
    if (!DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  Object.assign(headers, GATEWAY_SECURITY_HEADERS);
  headers['x-request-id'] = response.requestId;
  if (response.upstreamRequestId) headers['x-upstream-request-id'] = response.upstreamRequestId;
  headers['x-breakwater-attempts'] = String(response.attempts.length);
  headers['x-breakwater-cache'] = response.cache;
  return headers;
}

/**
 * The answer to each ResilienceError the client rejects with, by its `errorType` (`network_*` for every
 * network kind). Matched on the name, not with `instanceof`: Next bundles lib/resilience once per bundle,
 * and an error from one copy is not an instance of another copy's class.
 */
const GATEWAY_ERRORS: Readonly<Record<string, { status: number; field?: string; message?: string }>> = {
  timeout_attempt: { status: 504 },
  timeout_overall: { status: 504 },
  circuit_open: { status: 503 },
  bulkhead_rejected: { status: 503 },
  rate_limited: { status: 429 },
  destination_refused: { status: 403, field: 'baseUrl' },
  network: { status: 502 },
  cancelled: { status: 499, message: 'the caller closed the request' },
  request_body: { status: 400, field: '(body)', message: 'the request body could not be read to its end' },
};

function errorTypeOf(error: unknown): string | undefined {
  const errorType = (error as { errorType?: unknown } | null)?.errorType;
  if (typeof errorType !== 'string') return undefined;
  return errorType.startsWith('network_') ? 'network' : errorType;
}

/**
 * What a caller gets when the call did not produce an upstream answer: a DomainError (an unsafe path, a
 * secret that cannot be used) with its own status and field, a ResilienceError by its errorType, anything
 * else a 500 naming the request id.
 */
export function gatewayErrorAnswer(error: unknown, requestId: string): GatewayAnswer {
  const headers: Record<string, string> = {};
  if (isDomainError(error)) {
    if (error.code === 'secret_unavailable') {
      const { variable } = error as { variable?: string };
      log.warn({ variable, requestId }, 'gateway call refused: its secret cannot be used');
    }
    const extra: Omit<ApiErrorBody, 'error'> = {};
    if (error.field !== undefined) extra.field = error.field;
    if (error.issues) extra.issues = error.issues;
    return gatewayError(error.status, error.message, requestId, extra);
  }
  const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
  if (retryAfter !== undefined && retryAfter > 0) headers['retry-after'] = String(Math.ceil(retryAfter / 1000));
  const errorType = errorTypeOf(error);
  const answer = errorType === undefined ? undefined : GATEWAY_ERRORS[errorType];
  if (answer) {
    const message = answer.message ?? (error as Error).message;
    return gatewayError(answer.status, message, requestId, answer.field ? { field: answer.field } : {}, headers);
  }
  log.error({ err: error, requestId }, 'gateway call failed unexpectedly');
  return gatewayError(500, `internal error (request id ${requestId})`, requestId);
}
