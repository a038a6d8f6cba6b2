import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type GatewayAnswer, type GatewayBody, gatewayError } from '@/lib/integrations';
import { setting } from '@/lib/server/env';
import { type IdempotentAnswer, idempotencyStore } from '@/lib/shared-state';

/** Methods whose repeat could do something twice: only these are replayed (Stripe: POST; we add the others). */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Stripe's bound on a key; printable ASCII so it is a safe Redis key part. */
const KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;
/** Largest body kept for a replay; a larger answer is replayed as its status and headers only. */
export const IDEMPOTENT_BODY_BYTES = 1024 * 1024;
/** A claim whose holder died frees the key this long after the call's own deadline. */
const PENDING_MARGIN_MS = 10_000;

/** A request holding its key until its answer is known. */
export interface IdempotentCall {
  scope: string;
  key: string;
  fingerprint: string;
}

/** The Idempotency-Key of an unsafe request, or undefined (no replay handling at all). */
export function idempotencyKeyOf(method: string, headers: IncomingHttpHeaders): string | undefined {
  if (!UNSAFE_METHODS.has(method)) return undefined;
  const value = headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
}

/** What tells a repeat from another request reusing the key: method, path, query and body. */
function fingerprintOf(method: string, path: string, body: GatewayBody): string {
  const hash = createHash('sha256').update(`${method}\n${path}\n`);
  // A body too large to buffer streams once to the upstream: only its declared length can be compared.
  if ('stream' in body) hash.update(`streamed ${body.length ?? 'unknown length'}`);
  else if (body.body) hash.update(body.body);
  return hash.digest('hex');
}

/**
 * Stripe's model, per integration and caller: the first request with a key goes upstream and holds it; a
 * repeat with the same method, path and body gets the first answer back (with `idempotent-replayed: true`)
 * on any instance, for BREAKWATER_IDEMPOTENCY_RETENTION_MS; a repeat while the first is in flight gets 409,
 * another request reusing the key 422, a malformed key 400. Returns the answer to send, or the call to go.
 */
export async function claimIdempotencyKey(
  key: string,
  request: { integrationId: string; tokenId: string; method: string; path: string; body: GatewayBody },
  overallMs: number,
  requestId: string,
): Promise<{ send: GatewayAnswer | IdempotentAnswer } | { call: IdempotentCall }> {
  if (!KEY_PATTERN.test(key))
    return {
      send: gatewayError(400, 'Idempotency-Key must be 1-255 printable ASCII characters', requestId, {
        field: 'idempotency-key',
      }),
    };
  const call = {
    scope: `${request.integrationId}:${request.tokenId}`,
    key,
    fingerprint: fingerprintOf(request.method, request.path, request.body),
  };
  const claim = await idempotencyStore().claim(call.scope, key, call.fingerprint, overallMs + PENDING_MARGIN_MS);
  if (claim.kind === 'claimed') return { call };
  if (claim.kind === 'replay') return { send: replayOf(claim.answer) };
  if (claim.kind === 'in-flight')
    return {
      send: gatewayError(
        409,
        'a request with this Idempotency-Key is still in progress; retry once it has answered',
        requestId,
        { field: 'idempotency-key' },
        { 'retry-after': '1' },
      ),
    };
  return {
    send: gatewayError(
      422,
      'this Idempotency-Key was used with another request (method, path or body differ)',
      requestId,
      { field: 'idempotency-key' },
    ),
  };
}

function replayOf(answer: IdempotentAnswer): IdempotentAnswer {
  const headers: Record<string, string> = { ...answer.headers, 'idempotent-replayed': 'true' };
  if (answer.bodyOmitted) headers['idempotent-body-omitted'] = 'true';
  headers['content-length'] = String(answer.body.length);
  return { ...answer, headers };
}

/** Keeps the upstream's answer for repeats of the key. */
export function completeIdempotentCall(
  call: IdempotentCall,
  answer: { status: number; headers: Record<string, string>; body: Buffer },
): Promise<void> {
  const bodyOmitted = answer.body.length > IDEMPOTENT_BODY_BYTES;
  return idempotencyStore().complete(
    call.scope,
    call.key,
    call.fingerprint,
    { ...answer, body: bodyOmitted ? Buffer.alloc(0) : answer.body, bodyOmitted },
    setting('BREAKWATER_IDEMPOTENCY_RETENTION_MS'),
  );
}

/** The call got no upstream answer (refused, timed out, failed): the key is free for a retry. */
export function releaseIdempotentCall(call: IdempotentCall): Promise<void> {
  return idempotencyStore().release(call.scope, call.key);
}
