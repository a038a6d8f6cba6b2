import { GATEWAY_RAW_QUERY_HEADER } from '@/lib/model';
import type { ResilientResponse } from '@/lib/resilience';
import { assertOutboundSecret } from '@/lib/secret-roles';
import { readSecret } from '@/lib/secrets';
import { clientFor } from './clients';
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
  GATEWAY_RAW_QUERY_HEADER,
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
  if (integration.authScheme === 'none' || !integration.secretEnv) return {};
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

export interface ForwardRequest {
  method: string;
  segments: readonly string[];
  search: string;
  headers: Headers;
  body?: Uint8Array;
  signal?: AbortSignal;
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

/** Sends a gateway request to the integration through its resilient client. */
export async function forwardCall(
  integration: Integration,
  req: ForwardRequest,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResilientResponse> {
  const path = upstreamPath(integration.baseUrl, req.segments, req.search);
  const headers: Record<string, string> = {};
  req.headers.forEach((value, name) => {
    if (!DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
  });
  Object.assign(headers, await credentialHeaders(integration, env));
  return clientFor(integration).request({
    method: req.method,
    path,
    route: routeTemplate(req.segments),
    headers,
    body: req.body,
    signal: req.signal,
    requestId: req.requestId,
    callId: req.callId,
    traceparent: req.traceparent,
    tracestate: req.tracestate,
    callerKey: req.callerKey,
    tags: req.tags,
  });
}
