import { GATEWAY_RAW_QUERY_HEADER } from '@/lib/model';
import type { RedactionRules } from '@/lib/redaction';
import { ResilientClient, type ResilientResponse } from '@/lib/resilience';
import { assertOutboundSecret } from '@/lib/secret-roles';
import { readSecret } from '@/lib/secrets';
import { callListener } from '@/lib/telemetry';
import { outboundPolicy } from './outbound';
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

/** Secret values the telemetry must scrub for this integration (lib/redaction derives their encodings). */
export function secretsOf(integration: Integration, env: NodeJS.ProcessEnv = process.env): string[] {
  const secret = integration.secretEnv ? env[integration.secretEnv] : undefined;
  return secret ? [secret] : [];
}

/** How whatever is stored or shown of this integration's calls is redacted, and what of them is kept. */
export function redactionOf(integration: Integration, env: NodeJS.ProcessEnv = process.env): RedactionRules {
  return { secrets: secretsOf(integration, env), capture: integration.bodyCapture };
}

interface Entry {
  client: ResilientClient;
  origin: string;
  version: number;
  /** the latest configuration, read by the telemetry listener (its secret may have changed) */
  integration: Integration;
}

const shared = globalThis as typeof globalThis & { __breakwaterClients?: Map<string, Entry> };
shared.__breakwaterClients ??= new Map();
const clients = shared.__breakwaterClients;

/**
 * One ResilientClient per integration for the life of the process, so its breaker, limiter and cache
 * state persist across calls; a changed policy is applied in place, a changed origin gets a new client.
 */
export function clientFor(integration: Integration): ResilientClient {
  const origin = new URL(integration.baseUrl).origin;
  const version = integration.updatedAt.getTime();
  const existing = clients.get(integration.id);
  if (existing && existing.origin === origin) {
    if (existing.version !== version) {
      existing.client.updatePolicy(integration.policy);
      existing.version = version;
      existing.integration = integration;
    }
    return existing.client;
  }
  if (existing) void existing.client.close();
  const entry = { origin, version, integration } as Entry;
  entry.client = new ResilientClient({
    name: integration.slug,
    origin,
    policy: integration.policy,
    destinationPolicy: outboundPolicy(),
    onEvent: callListener(integration.id, () => redactionOf(entry.integration), { origin }),
  });
  clients.set(integration.id, entry);
  return entry.client;
}

export interface ForwardRequest {
  method: string;
  segments: readonly string[];
  search: string;
  headers: Headers;
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
    callerKey: req.callerKey,
    tags: req.tags,
  });
}
