import { createHmac, timingSafeEqual } from 'node:crypto';

// Standard Webhooks (https://www.standardwebhooks.com), the one implementation for signing what Breakwater
// sends (alert notifications, sync pages, job completions) and verifying what it receives (lib/webhooks):
// the signature is base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)) where key is the base64 after
// `whsec_`, sent as `webhook-signature: v1,<signature>` (space-separated when several) beside `webhook-id`
// and `webhook-timestamp` (seconds). It imports nothing of the app, so every domain may use it.

const PREFIX = 'whsec_';
/** The spec's suggested tolerance against replays. */
export const TIMESTAMP_TOLERANCE_S = 5 * 60;

/** The HMAC key of a `whsec_` secret; null when it is not base64 (a configuration error, not the sender's). */
export function standardKey(secret: string): Buffer | null {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  const key = Buffer.from(encoded, 'base64');
  return key.length ? key : null;
}

function keyOf(secret: string): Buffer {
  const key = standardKey(secret);
  if (!key) throw new Error('webhook secret must be whsec_ followed by base64');
  return key;
}

function mac(key: Buffer, id: string, timestamp: string | number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

export function signWebhook(secret: string, id: string, timestampS: number, body: string): string {
  return `v1,${mac(keyOf(secret), id, timestampS, body).toString('base64')}`;
}

/** The three headers of a signed message. */
export function webhookHeaders(secret: string, id: string, timestampS: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': signWebhook(secret, id, timestampS, body),
  };
}

/** The `v1` signatures of a `webhook-signature` header, decoded; other versions are ignored. */
export function v1Signatures(signature: string): Buffer[] {
  return signature
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, signed]) => version === 'v1' && signed)
    .map(([, signed]) => Buffer.from(signed, 'base64'));
}

/** Whether any of `given` is the signature of the message under `secret`, compared in constant time. */
export function signedWith(
  secret: string,
  given: readonly Buffer[],
  id: string,
  timestamp: string,
  body: string | Uint8Array,
): boolean {
  const key = standardKey(secret);
  if (!key) return false;
  const expected = mac(key, id, timestamp, body);
  return given.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
}

/**
 * Verifies as a receiver must: a timestamp within the tolerance of `nowS`, and any of the space-separated
 * `v1,` signatures equal to the expected one.
 */
export function verifyWebhook(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: string,
  nowS: number,
): boolean {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowS - Number(timestamp)) > TIMESTAMP_TOLERANCE_S) return false;
  return signedWith(secret, v1Signatures(signature), id, timestamp, body);
}
