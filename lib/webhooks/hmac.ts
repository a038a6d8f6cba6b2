import type { HmacOptions } from './schema';
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

// A generic HMAC of the raw body (or of `${timestamp}.${body}`) in one header, hex or base64, optionally
// after a prefix such as GitHub's "sha256=". The secret is used as text.

export function verifyHmac(delivery: SignedDelivery, options: HmacOptions): Verdict {
  const signature = delivery.headers.get(options.header);
  const timestamp = options.timestampHeader ? delivery.headers.get(options.timestampHeader) : null;
  const eventId = options.idHeader ? delivery.headers.get(options.idHeader) : null;
  const required = [options.header, options.timestampHeader, options.idHeader].filter(Boolean);
  if (!signature || (options.timestampHeader && !timestamp) || (options.idHeader && !eventId))
    return missing(`the ${required.join(', ')} header${required.length > 1 ? 's are' : ' is'} required`);
  const timestampS = options.timestampHeader ? parseTimestamp(timestamp) : null;
  if (options.timestampHeader && timestampS === null)
    return missing(`${options.timestampHeader} must be whole seconds since the epoch`);
  if (!signature.startsWith(options.prefix))
    return badSignature(`${options.header} does not start with "${options.prefix}"`);
  const encoded = signature.slice(options.prefix.length).trim();
  const valid = options.encoding === 'hex' ? /^[0-9a-f]+$/i : /^[A-Za-z0-9+/]+={0,2}$/;
  if (!valid.test(encoded)) return badSignature(`${options.header} is not ${options.encoding}`);
  const given = Buffer.from(encoded, options.encoding);
  const signed = options.payload === 'timestamp.body' ? [`${timestamp}.`, delivery.body] : [delivery.body];
  const matches = delivery.secrets.some((secret) => sameBytes(given, hmac(options.algorithm, secret, ...signed)));
  if (!matches) return badSignature();
  const stale = timestampS === null ? null : checkTolerance(timestampS, delivery.nowS, delivery.toleranceSeconds);
  return stale ?? { ok: true, ...(eventId && { eventId }) };
}
