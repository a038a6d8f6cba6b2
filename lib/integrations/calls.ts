import type { Readable } from 'node:stream';
import { isDomainError } from '@/lib/model';
import type { Reauthorization, ResilientRequest, ResilientResponse } from '@/lib/resilience';
import { assertOutboundSecret } from '@/lib/secret-roles';
import { readSecret } from '@/lib/secrets';
import { clientFor } from './clients';
import { sendWithOAuth2 } from './oauth';
import { upstreamPath } from './paths';
import { routeOf } from './routes';
import { activeTarget, type Integration } from './rows';

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
 * The credential in `secretEnv` (the primary, or the secondary while rotating) for the integration's
 * origin: an exposed secret, not pinned elsewhere, not an inbound source's verification secret. Otherwise
 * a SecretUnavailableError naming the variable.
 */
async function credentialHeaders(
  integration: Integration,
  secretEnv: string | null | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, string>> {
  // OAuth2's header is the access token (sendWithOAuth2)
  if (integration.authScheme === 'none' || integration.authScheme === 'oauth2' || !secretEnv) return {};
  const secret = readSecret(secretEnv, { origin: integration.baseUrl }, env);
  await assertOutboundSecret(secretEnv);
  switch (integration.authScheme) {
    case 'bearer':
      return { authorization: `Bearer ${secret}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(secret).toString('base64')}` };
    default:
      return { [integration.authHeader!.toLowerCase()]: secret };
  }
}

/**
 * Rotation: a call whose primary credential gets a 401 is resent once with the secondary (see
 * ResilientRequest.reauthorize), labelled `credential: secondary`. An unavailable secondary answers the 401.
 */
function secondaryCredential(
  integration: Integration,
  env: NodeJS.ProcessEnv,
): (() => Promise<Reauthorization | undefined>) | undefined {
  if (integration.authScheme === 'none' || !integration.secondarySecretEnv) return undefined;
  return async () => {
    try {
      return { headers: await credentialHeaders(integration, integration.secondarySecretEnv, env), tags: SECONDARY };
    } catch {
      return undefined;
    }
  };
}

const SECONDARY = { credential: 'secondary' } as const;

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

/** Sends a gateway request to the integration's active environment through its resilient client. */
export async function forwardCall(
  stored: Integration,
  req: ForwardRequest,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResilientResponse> {
  const integration = activeTarget(stored);
  const path = upstreamPath(integration.baseUrl, req.segments, req.search);
  const { route, label } = routeOf(stored.id, integration.policy.routes, req.segments);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(lower)) continue;
    headers[lower] = typeof value === 'string' ? value : value.join(', ');
  }
  Object.assign(headers, await credentialHeaders(integration, integration.secretEnv, env));
  // One 401 reauthorization per call: a fresh OAuth2 token, or rotation's secondary secret.
  const send = (
    credential: Record<string, string> = {},
    reauthorize: ResilientRequest['reauthorize'] = secondaryCredential(integration, env),
    servedBy?: string,
  ) =>
    clientFor(integration).request({
      method: req.method,
      path,
      route,
      routeLabel: label,
      headers: { ...headers, ...credential },
      body: req.body,
      bodyLength: req.bodyLength,
      streamResponse: req.streamResponse,
      signal: req.signal,
      onCancel: req.onCancel,
      requestId: req.requestId,
      callId: req.callId,
      traceparent: req.traceparent,
      tracestate: req.tracestate,
      callerKey: req.callerKey,
      tags: servedBy ? { ...req.tags, credential: servedBy } : req.tags,
      reauthorize,
    });
  try {
    if (integration.authScheme === 'oauth2') return await sendWithOAuth2(integration, send, env);
    return await send();
  } catch (error) {
    throw bodyFailureOf(error);
  }
}
