import { getDb } from '@/lib/db';
import { DEFAULT_WORKSPACE_ID } from '@/lib/model';
import { type PolicyInput, ResilientClient, type ResilientResponse } from '@/lib/resilience';
import { processSingleton } from '@/lib/server/singleton';
import { sharedState } from '@/lib/shared-state';
import { attachTelemetry } from '@/lib/telemetry';
import { outboundPolicy } from './outbound';
import { redactionOf } from './redaction';
import { activeTarget, type Integration } from './rows';
import { workspaceSlugOf } from './snapshot';

/**
 * The one registry of ResilientClients: every outbound call Breakwater makes goes through a client made
 * here, so each gets the operator's destination policy and telemetry (rollups, call log, live metrics,
 * spans) and keeps its breaker, limiter and cache state for the life of the process.
 */

interface IntegrationEntry {
  client: ResilientClient;
  origin: string;
  slug: string;
  /** the active environment: every event of this client is labelled with it */
  environment: string;
  version: number;
  /** the latest configuration, read by the telemetry listener (its secret may have changed) */
  integration: Integration;
  /** stops telemetry and, with shared state, the breaker's sharing */
  detach: () => void;
}

const integrationClients = () => processSingleton('integration-clients', () => new Map<string, IntegrationEntry>());

/**
 * The client of one integration's active environment. A changed policy is applied in place; a changed
 * origin, slug (the client's name, carried by every event) or environment gets a new client.
 */
export function clientFor(stored: Integration): ResilientClient {
  const integration = activeTarget(stored);
  const clients = integrationClients();
  const existing = clients.get(integration.id);
  // Parsed once per base URL, not on every call.
  const origin =
    existing?.integration.baseUrl === integration.baseUrl ? existing.origin : new URL(integration.baseUrl).origin;
  const version = integration.updatedAt.getTime();
  if (
    existing &&
    existing.origin === origin &&
    existing.slug === integration.slug &&
    existing.environment === integration.activeEnvironment
  ) {
    if (existing.version !== version) {
      existing.client.updatePolicy(integration.policy);
      existing.version = version;
      existing.integration = integration;
    }
    return existing.client;
  }
  if (existing) {
    existing.detach();
    void existing.client.close();
  }
  const environment = integration.activeEnvironment;
  // With Redis, buckets, cache and breaker are the cluster's, per integration and environment: slugs repeat
  // across workspaces, ids do not.
  const shared = sharedState();
  const namespace = `${integration.id}:${environment}`;
  const client = new ResilientClient({
    name: integration.slug,
    origin,
    policy: integration.policy,
    destinationPolicy: outboundPolicy(),
    rateLimitStore: shared?.rateLimitStore(namespace),
    cacheStore: shared?.cacheStore(namespace, integration.policy.cache.maxEntries),
  });
  const entry = { client, origin, slug: integration.slug, environment, version, integration } as IntegrationEntry;
  const detachTelemetry = attachTelemetry(client.events, integration.id, () => redactionOf(entry.integration), {
    origin,
    environment,
    workspace: workspaceSlugOf(integration.workspaceId),
    credential: () => (entry.integration.authScheme === 'none' ? undefined : 'primary'),
  });
  const stopSharing = shared?.breakers.attach(namespace, client.breaker);
  entry.detach = () => {
    detachTelemetry();
    stopSharing?.();
  };
  clients.set(integration.id, entry);
  return client;
}

/**
 * The token endpoint's own discipline: short timeouts, a couple of retries (a client-credentials grant
 * may be repeated), a breaker of its own so an authorization server outage fails calls fast, never cached
 * nor rate limited.
 */
const TOKEN_ENDPOINT_POLICY = {
  retry: { maxRetries: 2, initialDelayMs: 200, maxDelayMs: 2000 },
  timeout: { attemptMs: 5000, overallMs: 15_000 },
  breaker: { consecutiveFailures: 5, openMs: 30_000 },
  rateLimit: { enabled: false },
  cache: { enabled: false },
  bulkhead: { maxConcurrent: 4, maxQueue: 1000 },
} satisfies PolicyInput;

interface TokenClientEntry {
  client: ResilientClient;
  origin: string;
  slug: string;
  environment: string;
  detach: () => void;
}

const tokenClients = () => processSingleton('oauth2-token-clients', () => new Map<string, TokenClientEntry>());

/**
 * The client of an integration's OAuth2 token endpoint (`<slug>:oauth2`), recorded under the integration
 * (route `oauth2:token`) with nothing of the exchange kept but metadata: its bodies carry the client
 * secret and the access token. `integration` is the active target (activeTarget): its calls are labelled
 * with that environment. A new token URL origin, slug or environment gets a new client.
 */
export function tokenClientFor(integration: Integration, tokenUrl: string): ResilientClient {
  const clients = tokenClients();
  const origin = new URL(tokenUrl).origin;
  const existing = clients.get(integration.id);
  const environment = integration.activeEnvironment;
  if (
    existing &&
    existing.origin === origin &&
    existing.slug === integration.slug &&
    existing.environment === environment
  )
    return existing.client;
  if (existing) {
    existing.detach();
    void existing.client.close();
  }
  const client = new ResilientClient({
    name: `${integration.slug}:oauth2`,
    origin,
    policy: TOKEN_ENDPOINT_POLICY,
    destinationPolicy: outboundPolicy(),
  });
  const current = () => integrationClients().get(integration.id)?.integration ?? integration;
  const detach = attachTelemetry(
    client.events,
    integration.id,
    () => ({ secrets: redactionOf(current()).secrets, capture: 'none' }),
    { origin, environment, workspace: workspaceSlugOf(integration.workspaceId), breakerScope: 'oauth2:token' },
  );
  clients.set(integration.id, { client, origin, slug: integration.slug, environment, detach });
  return client;
}

/** Messages Breakwater itself sends: what they are, who receives them, and their retry discipline. */
const DELIVERY_KINDS = {
  // Alert notifications may come in bursts (one per group and channel); the limit only guards a receiver
  // against a flapping rule.
  alerts: {
    name: 'Alert notifications',
    policy: {
      retry: { maxRetries: 3, initialDelayMs: 500, maxDelayMs: 4000 },
      timeout: { attemptMs: 5000, overallMs: 20_000 },
      rateLimit: { perMinute: 600, burst: 600 },
    },
  },
  // A sync's own schedule and maxPages bound how often it posts: no rate limit.
  'sync-sink': {
    name: 'Sync sink deliveries',
    policy: {
      retry: { maxRetries: 2, initialDelayMs: 500, maxDelayMs: 4000 },
      timeout: { attemptMs: 10_000, overallMs: 30_000 },
      rateLimit: { enabled: false },
    },
  },
  'job-completion': {
    name: 'Job completion webhooks',
    policy: {
      retry: { maxRetries: 2, initialDelayMs: 500, maxDelayMs: 4000 },
      timeout: { attemptMs: 10_000, overallMs: 30_000 },
      rateLimit: { enabled: false },
    },
  },
} as const satisfies Record<string, { name: string; policy: PolicyInput }>;

export type DeliveryKind = keyof typeof DELIVERY_KINDS;

/** Shared by every delivery: never cached, and `webhook-id` is the idempotency key, so a POST may be retried. */
const DELIVERY_POLICY_BASE = {
  cache: { enabled: false },
  idempotency: { header: 'webhook-id', generate: true },
} satisfies PolicyInput;

/**
 * The integration a kind of delivery is recorded under, so its calls are in the call log, the rollups
 * and the dashboard like any upstream's. Its slug has a dot, which no configured integration's slug may
 * have, and its base URL is in the reserved `.invalid` domain: a gateway call to it cannot reach anyone.
 */
export function deliveryIntegrationSlug(kind: DeliveryKind): string {
  return `breakwater.${kind}`;
}

/** The kind's integration in one workspace (each workspace's deliveries are counted in its own). */
async function deliveryOwner(kind: DeliveryKind, workspaceId: string): Promise<string> {
  const slug = deliveryIntegrationSlug(kind);
  const db = getDb();
  const where = { workspaceId_slug: { workspaceId, slug } };
  const found = await db.integration.findUnique({ where, select: { id: true } });
  if (found) return found.id;
  const data = {
    workspaceId,
    slug,
    name: DELIVERY_KINDS[kind].name,
    baseUrl: `https://${kind}.breakwater.invalid`,
    bodyCapture: 'none',
  };
  try {
    return (await db.integration.create({ data, select: { id: true } })).id;
  } catch {
    // created meanwhile by another instance or call
    return (await db.integration.findUniqueOrThrow({ where, select: { id: true } })).id;
  }
}

interface DeliveryEntry {
  client: ResilientClient;
  /** secrets of every message sent through this client, scrubbed from what telemetry keeps */
  secrets: Set<string>;
}

const deliveryClients = () => processSingleton('delivery-clients', () => new Map<string, Promise<DeliveryEntry>>());

/** One client per kind, workspace and receiver origin, recorded under the kind's integration of the workspace. */
function deliveryClient(kind: DeliveryKind, workspaceId: string, origin: string): Promise<DeliveryEntry> {
  const clients = deliveryClients();
  const key = `${kind}\n${workspaceId}\n${origin}`;
  let entry = clients.get(key);
  if (!entry) {
    entry = deliveryOwner(kind, workspaceId).then((ownerId) => {
      const client = new ResilientClient({
        name: `${kind}:${new URL(origin).host}`,
        origin,
        policy: { ...DELIVERY_KINDS[kind].policy, ...DELIVERY_POLICY_BASE },
        destinationPolicy: outboundPolicy(),
      });
      const secrets = new Set<string>();
      attachTelemetry(client.events, ownerId, () => ({ secrets: [...secrets], capture: 'none' }), {
        origin,
        workspace: workspaceSlugOf(workspaceId),
      });
      return { client, secrets };
    });
    entry.catch(() => clients.delete(key));
    clients.set(key, entry);
  }
  return entry;
}

interface DeliveryRequest {
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
  /** values telemetry must scrub, such as a Slack URL's path (it is the credential) */
  secrets?: readonly string[];
  /** the route recorded in rollups and metrics; the URL's path when absent, so one a secret is in must be given */
  route?: string;
  /** the workspace the message is sent for (its deliveries are recorded there); `default` when absent */
  workspaceId?: string;
}

/** POSTs one JSON message to `url` through the kind's client; resolves with the final answer, whatever its status. */
export async function sendDelivery(
  kind: DeliveryKind,
  url: string,
  request: DeliveryRequest,
): Promise<ResilientResponse> {
  const target = new URL(url);
  const { client, secrets } = await deliveryClient(kind, request.workspaceId ?? DEFAULT_WORKSPACE_ID, target.origin);
  for (const secret of request.secrets ?? []) secrets.add(secret);
  return client.request({
    method: 'POST',
    path: `${target.pathname}${target.search}`,
    route: request.route ?? target.pathname,
    headers: { 'content-type': 'application/json', ...request.headers },
    body: request.body,
    signal: request.signal,
  });
}
