import { signedWith, v1Signatures } from '@/lib/standard-webhooks';
import {
  badSignature,
  checkTolerance,
  type HeaderLookup,
  missing,
  parseTimestamp,
  type SignedDelivery,
  type Verdict,
} from './verdict';

// Standard Webhooks, signed and checked by lib/standard-webhooks; here only what a receiver adds: the
// headers (Svix sends the same ones branded `svix-*`; both are read) and the verdict.

function header(headers: HeaderLookup, name: string): string | null {
  return headers.get(`webhook-${name}`) ?? headers.get(`svix-${name}`);
}

export function verifyStandard(delivery: SignedDelivery): Verdict {
  const id = header(delivery.headers, 'id');
  const timestamp = header(delivery.headers, 'timestamp');
  const signature = header(delivery.headers, 'signature');
  if (!id || !timestamp || !signature)
    return missing('webhook-id, webhook-timestamp and webhook-signature headers are required');
  const timestampS = parseTimestamp(timestamp);
  if (timestampS === null) return missing('webhook-timestamp must be whole seconds since the epoch');
  const given = v1Signatures(signature);
  if (!given.length) return badSignature('webhook-signature has no v1 signature');
  if (!delivery.secrets.some((secret) => signedWith(secret, given, id, timestamp, delivery.body)))
    return badSignature();
  return checkTolerance(timestampS, delivery.nowS, delivery.toleranceSeconds) ?? { ok: true, eventId: id };
}
