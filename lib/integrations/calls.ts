import type { Readable } from 'node:stream';
import { isDomainError } from '@/lib/model';
import type { ResilientResponse } from '@/lib/resilience';
import { assertOutboundSecret } from '@/lib/secret-roles';
import { readSecret } from '@/lib/secrets';
import { clientFor } from './clients';
import { sendWithOAuth2 } from './oauth';
import { routeTemplate, upstreamPath } from './paths';
import type { Integration } from './rows';

// Never forwarded upstream: hop-by-hop headers, the caller's own Breakwater credentials, and headers the
// client sets itself.
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
  'authorization',
  'proxy-authorization',
  'cookie',
  // set by lib/auth on every incoming request for sign-in throttling: the caller's address stays here
  'x-breakwater-peer',
  'x-request-id',
  'traceparent',
  'tracestate',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
  'forwarded',
]);

/**
 * The credential for the integration's origin: an exposed secret, not pinned elsewhere, not an inbound
 * source's verification secret. Otherwise a SecretUnavailableError naming the variable.
 */
async function credentialHeaders(integration: Integration, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  if (integration.authScheme === 'none' || integration.authScheme === 'oauth2' || !integration.secretEnv) return {};
  const secret = readSecret(integration.secretEnv, { origin: integration.baseUrl }, env);
  await assertOutboundSecret(integration.secretEnv);
  switch (integration.authScheme) {
    case 'bearer':
      return { authorization: `Bearer ${secret}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(secret).toString('base64')}` };
    default:
      return { [integration.authHeader!.toLowerCase()]: secret };
  }
}

/** A caller's request headers as node:http gives them: lower-case names, repeated ones as arrays. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ForwardRequest {
  method: string;
  segments: readonly string[];
  search: string;
  headers: RequestHeaders;
  /**
   * Bytes (retried as the policy says), or a stream sent once in a single attempt (gatewayRequestBody
   * decides which). A stream that errors with BodyTooLargeError aborts the upstream request and the call
   * throws that BodyTooLargeError.
   */
  body?: Uint8Array | Readable;
  /** The declared length of a streamed body, sent upstream as content-length. */
  bodyLength?: number;
  /** Hand the answer's body over as `ResilientResponse.stream` (see ResilientRequest.streamResponse). */
  streamResponse?: boolean;
  signal?: AbortSignal;
  /** The caller's abort without an AbortSignal (see ResilientRequest.onCancel). */
  onCancel?: (cancel: (reason?: unknown) => void) => void;
  requestId: string;
  /** The call log's key when it must differ from the request id (see ResilientRequest.callId). */
  callId?: string;
  /** The trace context the call continues: the gateway's SERVER span (`gatewayTrace`), else none. */
  traceparent?: string;
  tracestate?: string;
  callerKey?: string;
  /** Labels for the call log, e.g. `replayOfId` (see ResilientRequest.tags). */
  tags?: Readonly<Record<string, string>>;
}

/**
 * The request body's own failure, when that is why the call failed: a body past the limit is the caller's
 * 413, not an upstream error (matched by `errorType`, not `instanceof`: see responses.ts).
 */
function bodyFailureOf(error: unknown): unknown {
  if ((error as { errorType?: unknown } | null)?.errorType !== 'request_body') return error;
  const cause = (error as Error).cause;
  return isDomainError(cause) ? cause : error;
}

/** Sends a gateway request to the integration through its resilient client. */
export async function forwardCall(
  integration: Integration,
  req: ForwardRequest,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResilientResponse> {
  const path = upstreamPath(integration.baseUrl, req.segments, req.search);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(lower)) continue;
    headers[lower] = typeof value === 'string' ? value : value.join(', ');
  }
  Object.assign(headers, await credentialHeaders(integration, env));
  // With OAuth2, a 401 is answered by one resend with a fresh token: it needs its own call-log key.
  const send = (authorization?: string, resend = false) =>
    clientFor(integration).request({
      method: req.method,
      path,
      route: routeTemplate(req.segments),
      headers: authorization ? { ...headers, authorization } : headers,
      body: req.body,
      bodyLength: req.bodyLength,
      streamResponse: req.streamResponse,
      signal: req.signal,
      onCancel: req.onCancel,
      requestId: req.requestId,
      callId: resend ? `${req.callId ?? req.requestId}.oauth2-resend` : req.callId,
      traceparent: req.traceparent,
      tracestate: req.tracestate,
      callerKey: req.callerKey,
      tags: req.tags,
    });
  try {
    // A streamed body is sent once: it cannot be resent after a 401.
    if (integration.authScheme === 'oauth2')
      return await sendWithOAuth2(integration, send, req.body === undefined || req.body instanceof Uint8Array, env);
    return await send();
  } catch (error) {
    throw bodyFailureOf(error);
  }
}
