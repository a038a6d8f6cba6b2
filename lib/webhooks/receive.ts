import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db';
import { type Integration, integrationForGateway } from '@/lib/integrations';
import { enqueueJob } from '@/lib/jobs';
import { log } from '@/lib/logging';
import { DomainError } from '@/lib/model';
import { redactHeaders } from '@/lib/redaction';
import { readSecret, SecretNotSetError, SecretUnavailableError } from '@/lib/secrets';
import { standardKey } from '@/lib/standard-webhooks';
import { countOutcome } from './counts';
import { verifyHmac } from './hmac';
import { REJECTIONS, type RejectionReason } from './schema';
import { sourceForWebhook, type WebhookSource } from './sources';
import { verifyStandard } from './standard';
import { verifyStripe } from './stripe';
import type { SignedDelivery, Verdict } from './verdict';

/** Longer ids are stored (and sent as idempotency keys) as their hash. */
const MAX_DEDUP_KEY = 200;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the body up to `max` bytes; null when it is larger (declared or actual), before reading the rest. */
async function readLimited(request: Request, max: number): Promise<Uint8Array | null> {
  if (Number(request.headers.get('content-length') ?? 0) > max) return null;
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

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

interface Received {
  source: WebhookSource;
  integration: Integration;
  request: Request;
  body: Uint8Array;
  text: string;
  now: Date;
  /** the source's verification secrets, scrubbed from what is stored */
  secrets: readonly string[];
}

/** The sender's event id header as the application should see it (Stripe's id is in the body). */
function eventIdHeader(source: WebhookSource, headers: Headers): [string, string] | null {
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
  delivery: { headers: Headers; text: string },
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
function storedHeaders(request: Request, secrets: readonly string[]): string {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return JSON.stringify(redactHeaders(headers, { secrets }));
}

/**
 * Stores the event and its forward job in one transaction, then acknowledges: an acknowledged event always
 * has its job, and a crash before the commit leaves neither (the sender retries). The unique
 * (sourceId, dedupKey) decides duplicates under concurrency.
 */
async function store(db: Db, delivery: Received, dedupKey: string): Promise<Response> {
  const { source, integration, now } = delivery;
  const existing = await db.webhookEvent.findUnique({
    where: { sourceId_dedupKey: { sourceId: source.id, dedupKey } },
  });
  if (existing) return duplicate(db, source, dedupKey, existing.id);
  const id = randomUUID();
  try {
    await db.$transaction(async (tx) => {
      await tx.webhookEvent.create({
        data: {
          id,
          sourceId: source.id,
          dedupKey,
          headers: storedHeaders(delivery.request, delivery.secrets),
          body: new Uint8Array(delivery.body),
          receivedAt: now,
        },
      });
      const job = await enqueueJob(
        tx,
        integration,
        forwardJobInput(source, integration, { headers: delivery.request.headers, text: delivery.text }, id, dedupKey),
        'webhook',
      );
      await tx.webhookEvent.update({ where: { id }, data: { jobId: job.id } });
    });
  } catch (error) {
    if ((error as { code?: string }).code !== 'P2002') throw error;
    const winner = await db.webhookEvent.findUnique({
      where: { sourceId_dedupKey: { sourceId: source.id, dedupKey } },
    });
    return duplicate(db, source, dedupKey, winner?.id ?? null);
  }
  countOutcome(db, source.id, 'received', now);
  return Response.json({ id, duplicate: false });
}

async function duplicate(db: Db, source: WebhookSource, dedupKey: string, id: string | null): Promise<Response> {
  await db.webhookEvent.updateMany({
    where: { sourceId: source.id, dedupKey },
    data: { duplicates: { increment: 1 } },
  });
  countOutcome(db, source.id, 'duplicate');
  return Response.json({ id, duplicate: true });
}

async function reject(db: Db, source: WebhookSource, reason: RejectionReason, message: string): Promise<Response> {
  countOutcome(db, source.id, reason);
  const entry = { source: source.slug, reason, detail: message };
  if (reason === 'misconfigured') log.error(entry, 'webhook source cannot verify deliveries');
  else log.info(entry, 'webhook delivery refused');
  return Response.json({ error: message, reason }, { status: REJECTIONS[reason] });
}

/**
 * Verifies a delivery for the source `slug` on its raw bytes and, if authentic, fresh and new, stores it
 * and queues its forward to the application before answering 200. Every refusal is counted and answered
 * with its status and reason; nothing is stored or forwarded for it.
 */
/** A delivery to a source that does not exist (404). */
export class UnknownSourceError extends DomainError {
  constructor(slug: string) {
    super(`webhook source "${slug}" not found`, 404, 'unknown_source');
  }
}

export async function receiveWebhook(db: Db, slug: string, request: Request): Promise<Response> {
  const source = sourceForWebhook(slug);
  if (!source) throw new UnknownSourceError(slug);
  const secrets = secretsOf(source);
  if ('problem' in secrets) return reject(db, source, 'misconfigured', secrets.problem);
  const integration = integrationForGateway(source.integration);
  if (!integration || integration.id !== source.integrationId)
    return reject(db, source, 'misconfigured', `the source's integration "${source.integration}" no longer exists`);

  const body = await readLimited(request, source.maxBodyBytes);
  if (!body) return reject(db, source, 'too_large', `body exceeds ${source.maxBodyBytes} bytes`);
  const now = new Date();
  const verdict = verify(source, {
    headers: request.headers,
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
  return store(
    db,
    { source, integration, request, body, text, now, secrets: secrets.secrets },
    dedupKeyOf(source, verdict.eventId, text),
  );
}
