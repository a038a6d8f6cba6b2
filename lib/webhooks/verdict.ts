import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a scheme says of a delivery: authentic (with the event id its headers carry, if any), or why not. */
export type Verdict =
  | { ok: true; eventId?: string }
  | { ok: false; reason: 'missing_headers' | 'bad_signature' | 'stale'; message: string };

export const missing = (message: string): Verdict => ({ ok: false, reason: 'missing_headers', message });
export const badSignature = (message = 'no signature matches the body and secret'): Verdict => ({
  ok: false,
  reason: 'bad_signature',
  message,
});

export function hmac(algorithm: string, key: Uint8Array | string, ...parts: (string | Uint8Array)[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant-time equality that also refuses a length mismatch (timingSafeEqual throws on one). */
export function sameBytes(given: Uint8Array, expected: Uint8Array): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Seconds since the epoch as senders write them; anything else is malformed. */
export function parseTimestamp(text: string | undefined | null): number | null {
  return text && /^\d{1,12}$/.test(text) ? Number(text) : null;
}

/** A timestamp more than `toleranceSeconds` away from now, in either direction, is refused as stale. */
export function checkTolerance(timestampS: number, nowS: number, toleranceSeconds: number): Verdict | null {
  const age = nowS - timestampS;
  if (age > toleranceSeconds)
    return { ok: false, reason: 'stale', message: `timestamp is ${age} s old (tolerance ${toleranceSeconds} s)` };
  if (-age > toleranceSeconds)
    return {
      ok: false,
      reason: 'stale',
      message: `timestamp is ${-age} s in the future (tolerance ${toleranceSeconds} s)`,
    };
  return null;
}

/** Reads one request header, case-insensitively (a WHATWG `Headers` is one). */
export interface HeaderLookup {
  get(name: string): string | null;
}

export interface SignedDelivery {
  headers: HeaderLookup;
  /** the raw bytes as received: signatures are over these, never over a re-serialized body */
  body: Uint8Array;
  /** the current secret first, then the previous one during a rotation */
  secrets: string[];
  toleranceSeconds: number;
  nowS: number;
}
