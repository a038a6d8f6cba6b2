import { randomUUID } from 'node:crypto';
import { setting } from '@/lib/server/env';

type Env = Record<string, string | undefined>;

const wellFormedRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

// The setting parsed once per value: the gateway asks on every request.
let trustedFor: string | undefined;
let trusted = true;

function trustsCallerRequestId(env: Env): boolean {
  const raw = env.BREAKWATER_TRUST_REQUEST_ID;
  if (raw !== trustedFor) {
    trusted = setting('BREAKWATER_TRUST_REQUEST_ID', env);
    trustedFor = raw;
  }
  return trusted;
}

/** The gateway request's id, and whether it is the caller's own (which a caller may send again). */
export interface GatewayRequestId {
  requestId: string;
  adopted: boolean;
}

/**
 * The gateway request's id: the caller's `x-request-id` when it is well formed (1-128 characters of
 * `A-Za-z0-9._:-`, so it is safe in headers, logs and URLs) and BREAKWATER_TRUST_REQUEST_ID is not false;
 * otherwise a new UUID.
 */
export function gatewayRequestId(header: string | undefined, env: Env = process.env): string {
  return adoptRequestId(header, env).requestId;
}

/**
 * gatewayRequestId, saying whether the caller's id was adopted: an adopted id can repeat (callers resend it
 * on their retries), so the gateway then gives the call log its own key (ResilientRequest.callId).
 */
export function adoptRequestId(header: string | undefined, env: Env = process.env): GatewayRequestId {
  if (header !== undefined && wellFormedRequestId.test(header) && trustsCallerRequestId(env))
    return { requestId: header, adopted: true };
  return { requestId: randomUUID(), adopted: false };
}
