import type { ResilientResponse } from '@/lib/resilience';
import { assertOutboundSecret } from '@/lib/secret-roles';
import { readSecret } from '@/lib/secrets';
import { clientFor } from './clients';
import { routeTemplate, upstreamPath } from './paths';
import type { Integration } from './service';

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

/** A caller's request headers as node:http gives them: lower-case names, repeated ones as arrays. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ForwardRequest {
  method: string;
  segments: readonly string[];
  search: string;
  headers: RequestHeaders;
  body?: Uint8Array;
  signal?: AbortSignal;
  requestId: string;
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
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(lower)) continue;
    headers[lower] = typeof value === 'string' ? value : value.join(', ');
  }
  Object.assign(headers, await credentialHeaders(integration, env));
  return clientFor(integration).request({
    method: req.method,
    path,
    route: routeTemplate(req.segments),
    headers,
    body: req.body,
    signal: req.signal,
    requestId: req.requestId,
    callerKey: req.callerKey,
    tags: req.tags,
  });
}
