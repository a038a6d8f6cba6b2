import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db';
import { type Integration, integrationOfId } from '@/lib/integrations';
import { jobRecord } from '@/lib/jobs';
import { log } from '@/lib/logging';
import { DomainError } from '@/lib/model';
import { redactHeaders } from '@/lib/redaction';
import { readSecret, SecretNotSetError, SecretUnavailableError } from '@/lib/secrets';
import { standardKey } from '@/lib/standard-webhooks';
import { countOutcome } from './counts';
import {
  type DeliveryHeaders,
  deliveryHeaders,
  readLimited,
  type WebhookAnswer,
  type WebhookDelivery,
} from './delivery';
import { verifyHmac } from './hmac';
import { type AcceptedDelivery, ingestBatcherFor } from './ingest-batch';
import { REJECTIONS, type RejectionReason } from './schema';
import { sourceForWebhook, type WebhookSource } from './sources';
import { verifyStandard } from './standard';
import { verifyStripe } from './stripe';
import type { HeaderLookup, SignedDelivery, Verdict } from './verdict';

/** Longer ids are stored (and sent as idempotency keys) as their hash. */
const MAX_DEDUP_KEY = 200;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function verify(source: WebhookSource, delivery: SignedDelivery): Verdict {
  switch (source.scheme) {
    case 'standard':
      return verifyStandard(delivery);
    case 'stripe':
      return verifyStripe(delivery);
    case 'hmac':
      return verifyHmac(delivery, source.options!);
  }
}

const sha256 = (bytes: Uint8Array | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function jsonField(text: string, path: string): string | undefined {
  try {
    let value: unknown = JSON.parse(text);
    for (const key of path.split('.')) value = (value as Record<string, unknown> | null)?.[key];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What identifies a redelivery: the scheme's event id (Stripe's is the body's `id`), a JSON field, or the
 * body's hash. A body without the id or field falls back to its hash, so it is still stored once.
 */
function dedupKeyOf(source: WebhookSource, eventId: string | undefined, text: string): string {
  let key: string | undefined;
  if (source.dedupBy === 'id') key = source.scheme === 'stripe' ? jsonField(text, 'id') : eventId;
  else if (source.dedupBy === 'field') key = jsonField(text, source.dedupField!);
  if (!key) return sha256(text);
  return key.length > MAX_DEDUP_KEY ? sha256(key) : key;
}

/** The secrets to verify with, or why the source cannot verify anything (said by variable name only). */
function secretsOf(source: WebhookSource): { secrets: string[] } | { problem: string } {
  const secrets: string[] = [];
  for (const variable of [source.secretEnv, source.previousSecretEnv]) {
    if (!variable) continue;
    let secret: string;
    try {
      secret = readSecret(variable);
    } catch (error) {
      if (!(error instanceof SecretUnavailableError)) throw error;
      // An unset previous secret just ends the rotation; anything else is a configuration to fix.
      if (error instanceof SecretNotSetError && variable !== source.secretEnv) continue;
      return { problem: error.message };
    }
    if (source.scheme === 'standard' && !standardKey(secret))
      return { problem: `the variable ${variable} does not hold a whsec_ base64 secret` };
    secrets.push(secret);
  }
  return { secrets };
}

/** The sender's event id header as the application should see it (Stripe's id is in the body). */
function eventIdHeader(source: WebhookSource, headers: HeaderLookup): [string, string] | null {
  if (source.scheme === 'standard') {
    const id = headers.get('webhook-id') ?? headers.get('svix-id');
    return id ? ['webhook-id', id] : null;
  }
  const name = source.options?.idHeader;
  const id = name ? headers.get(name) : null;
  return name && id ? [name, id] : null;
}

/**
 * The forward job of an event: POST of the raw body to the source's path on its integration, with the
 * body's type, the sender's event id, where it came from, and the dedup key as idempotency key (so a
 * forward repeated after a crash has no second effect).
 */
export function forwardJobInput(
  source: WebhookSource,
  integration: Integration,
  delivery: { headers: HeaderLookup; text: string },
  id: string,
  idempotencyKey: string,
) {
  const headers: Record<string, string> = {
    'content-type': delivery.headers.get('content-type') ?? 'application/octet-stream',
    'x-breakwater-webhook-source': source.slug,
    'x-breakwater-webhook-event': id,
  };
  const original = eventIdHeader(source, delivery.headers);
  if (original) headers[original[0]] = original[1];
  return {
    integration: integration.slug,
    method: 'POST' as const,
    path: source.forwardPath,
    headers,
    body: delivery.text,
    priority: 0,
    idempotencyKey,
  };
}

/**
 * The headers kept with an event, for display and search: credentials and signatures redacted by name (a
 * signature is verification material, checked before storing; forwarding and replay never send it), the
 * source's secrets scrubbed in any encoding. The body is kept as received: it is what is forwarded.
 */
function storedHeaders(headers: DeliveryHeaders, secrets: readonly string[]): string {
  return JSON.stringify(redactHeaders(Object.fromEntries(headers.entries()), { secrets }));
}

function reject(db: Db, source: WebhookSource, reason: RejectionReason, message: string): WebhookAnswer {
  countOutcome(db, source.id, reason);
  const entry = { source: source.slug, reason, detail: message };
  if (reason === 'misconfigured') log.error(entry, 'webhook source cannot verify deliveries');
  else log.info(entry, 'webhook delivery refused');
  return { status: REJECTIONS[reason], body: { error: message, reason } };
}

/** A delivery to a source that does not exist (404). */
export class UnknownSourceError extends DomainError {
  constructor(slug: string) {
    super(`webhook source "${slug}" not found`, 404, 'unknown_source');
  }
}

/**
 * The source a delivery is for and the integration it forwards to (null when that one is gone or was
 * replaced): the only lookups made per delivery, both served from memory (no database read per delivery).
 */
function deliveryTarget(
  workspaceSlug: string,
  slug: string,
): { source: WebhookSource; integration: Integration | null } | null {
  const source = sourceForWebhook(workspaceSlug, slug);
  if (!source) return null;
  return { source, integration: integrationOfId(source.integrationId) };
}

/**
 * Verifies a delivery for the source `slug` on its raw bytes and, if authentic, fresh and new, stores it
 * with its forward job to the application (group commit, ingest-batch.ts) before answering 200
 * `{id, duplicate}`. Every refusal is counted and answered with its status and `{error, reason}`; nothing
 * is stored or forwarded for it. A delivery that could not be stored is answered 503: the sender retries.
 * Throws UnknownSourceError (404) for a slug no source of the workspace (by slug) has.
 */
export async function receiveWebhook(
  db: Db,
  workspaceSlug: string,
  slug: string,
  delivery: WebhookDelivery,
): Promise<WebhookAnswer> {
  const target = deliveryTarget(workspaceSlug, slug);
  if (!target) throw new UnknownSourceError(slug);
  const { source, integration } = target;
  const secrets = secretsOf(source);
  if ('problem' in secrets) return reject(db, source, 'misconfigured', secrets.problem);
  if (!integration)
    return reject(db, source, 'misconfigured', `the source's integration "${source.integration}" no longer exists`);

  const headers = deliveryHeaders(delivery.headers);
  const body = await readLimited(delivery.body, headers.get('content-length'), source.maxBodyBytes);
  if (!body) return reject(db, source, 'too_large', `body exceeds ${source.maxBodyBytes} bytes`);
  const now = new Date();
  const verdict = verify(source, {
    headers,
    body,
    secrets: secrets.secrets,
    toleranceSeconds: source.toleranceSeconds,
    nowS: Math.floor(now.getTime() / 1000),
  });
  if (!verdict.ok) return reject(db, source, verdict.reason, verdict.message);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    // Jobs carry text bodies; forwarding other bytes would alter what was signed.
    return reject(db, source, 'unsupported_body', 'the body is not UTF-8 text');
  }
  const dedupKey = dedupKeyOf(source, verdict.eventId, text);
  const id = randomUUID();
  const accepted: AcceptedDelivery = {
    sourceId: source.id,
    dedupKey,
    event: { id, headers: storedHeaders(headers, secrets.secrets), body: new Uint8Array(body), receivedAt: now },
    job: jobRecord(integration, forwardJobInput(source, integration, { headers, text }, id, dedupKey), 'webhook'),
  };
  try {
    const stored = await ingestBatcherFor(db).store(accepted);
    return { status: 200, body: { id: stored.id, duplicate: stored.duplicate } };
  } catch {
    // Logged once per failed batch by the batcher; nothing of this delivery was stored.
    return {
      status: 503,
      body: { error: 'the delivery could not be stored; send it again later', reason: 'unavailable' },
    };
  }
}
