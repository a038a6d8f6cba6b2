import {
  badSignature,
  checkTolerance,
  hmac,
  missing,
  parseTimestamp,
  type SignedDelivery,
  sameBytes,
  type Verdict,
} from './verdict';

// Standard Webhooks (https://www.standardwebhooks.com): `webhook-signature` holds space-separated
// `v1,<base64 HMAC-SHA256>` entries over `${webhook-id}.${webhook-timestamp}.${body}`, keyed with the base64
// after `whsec_`. Svix sends the same headers branded `svix-*`; both are read.

function header(headers: Headers, name: string): string | null {
  return headers.get(`webhook-${name}`) ?? headers.get(`svix-${name}`);
}

/** The HMAC key of a `whsec_` secret; null when it is not base64 (a configuration error, not the sender's). */
export function standardKey(secret: string): Buffer | null {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  const key = Buffer.from(encoded, 'base64');
  return key.length ? key : null;
}

export function verifyStandard(delivery: SignedDelivery): Verdict {
  const id = header(delivery.headers, 'id');
  const timestamp = header(delivery.headers, 'timestamp');
  const signature = header(delivery.headers, 'signature');
  if (!id || !timestamp || !signature)
    return missing('webhook-id, webhook-timestamp and webhook-signature headers are required');
  const timestampS = parseTimestamp(timestamp);
  if (timestampS === null) return missing('webhook-timestamp must be whole seconds since the epoch');
  const given = signature
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, mac]) => version === 'v1' && mac)
    .map(([, mac]) => Buffer.from(mac, 'base64'));
  if (!given.length) return badSignature('webhook-signature has no v1 signature');
  const prefix = `${id}.${timestamp}.`;
  const matches = delivery.secrets.some((secret) => {
    const expected = hmac('sha256', standardKey(secret)!, prefix, delivery.body);
    return given.some((candidate) => sameBytes(candidate, expected));
  });
  if (!matches) return badSignature();
  return checkTolerance(timestampS, delivery.nowS, delivery.toleranceSeconds) ?? { ok: true, eventId: id };
}
