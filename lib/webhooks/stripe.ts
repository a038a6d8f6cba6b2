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

// Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>[,v1=<hex>...]`, each v1 an HMAC-SHA256 of
// `${t}.${body}` keyed with the whole `whsec_...` secret as text. Several v1 entries appear while Stripe
// rolls a secret; v0 (test) entries are ignored. The event id is in the body, not a header.

export function verifyStripe(delivery: SignedDelivery): Verdict {
  const header = delivery.headers.get('stripe-signature');
  if (!header) return missing('the Stripe-Signature header is required');
  let timestamp: string | undefined;
  const given: Buffer[] = [];
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (key === 't') timestamp = value;
    else if (key === 'v1' && /^[0-9a-f]+$/i.test(value)) given.push(Buffer.from(value, 'hex'));
  }
  const timestampS = parseTimestamp(timestamp);
  if (timestampS === null) return missing('Stripe-Signature needs t=<seconds since the epoch>');
  if (!given.length) return badSignature('Stripe-Signature has no v1 signature');
  const matches = delivery.secrets.some((secret) => {
    const expected = hmac('sha256', secret, `${timestamp}.`, delivery.body);
    return given.some((candidate) => sameBytes(candidate, expected));
  });
  if (!matches) return badSignature();
  return checkTolerance(timestampS, delivery.nowS, delivery.toleranceSeconds) ?? { ok: true };
}
