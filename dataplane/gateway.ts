import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { TLSSocket } from 'node:tls';
import { pathProblem } from '@/lib/api';
import { admitTokenCall, bearerTokenOf, tokenOwnerForGateway } from '@/lib/auth';
import {
  adoptRequestId,
  forwardCall,
  type GatewayAnswer,
  gatewayError,
  gatewayErrorAnswer,
  gatewayRequestBody,
  integrationForGateway,
  responseHeaders,
} from '@/lib/integrations';
import type { ResilientResponse } from '@/lib/resilience';
import { type GatewayTrace, gatewayTrace, recordGatewaySpan } from '@/lib/telemetry';
import { discardUnreadBody, GATEWAY_PREFIX, type RawTarget, sendJson } from './http';
import {
  claimIdempotencyKey,
  completeIdempotentCall,
  type IdempotentCall,
  idempotencyKeyOf,
  releaseIdempotentCall,
} from './idempotency';

const METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
const GATEWAY_ROUTE = '/api/gw/{integration}/{path}';
const EMPTY_BODY = Buffer.alloc(0);

/**
 * The one place the gateway checks its caller, from memory, never the database: a live token with the gateway
 * scope, allowed to call this integration of its own workspace, within its rate limit and monthly quota.
 */
function admitCaller(headers: IncomingHttpHeaders, slug: string, requestId: string) {
  const token = bearerTokenOf(headers.authorization);
  if (!token)
    return {
      refused: gatewayError(401, 'authentication required: no token; send Authorization: Bearer <token>', requestId),
    };
  const owner = tokenOwnerForGateway(token);
  if (!owner)
    return { refused: gatewayError(401, 'authentication required: invalid, expired or revoked token', requestId) };
  if (!owner.scopes.includes('gateway'))
    return { refused: gatewayError(403, 'token lacks the gateway scope', requestId) };
  // Looked up in the token's own workspace: another workspace's integration is as missing as none.
  const integration = integrationForGateway(owner.workspaceId, slug);
  if (!integration) return { refused: gatewayError(404, `integration "${slug}" not found`, requestId) };
  if (owner.integrations && !owner.integrations.includes(slug))
    return {
      refused: gatewayError(403, `this token may not call integration "${slug}"`, requestId, { field: 'integration' }),
    };
  const limited = admitTokenCall(owner, slug);
  if (limited)
    return {
      refused: gatewayError(429, limited.error, requestId, {}, { 'retry-after': String(limited.retryAfterSeconds) }),
    };
  return { owner, integration };
}

function sendAnswer(req: IncomingMessage, res: ServerResponse, answer: GatewayAnswer): void {
  sendJson(res, answer.status, answer.headers, answer.body);
  if (answer.status === 413) discardUnreadBody(req);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** What one gateway request carries from its start to its SERVER span. */
interface Exchange {
  requestId: string;
  /** the call log's key when the request id was adopted from the caller (it may repeat) */
  callId: string | undefined;
  trace: GatewayTrace;
  /** the caller closed its connection before its answer was sent */
  callerGone: boolean;
  /** cancels the upstream call, once it has started (ResilientRequest.onCancel: no AbortSignal per call) */
  cancelCall?: () => void;
  integration: string;
  errorType?: string;
}

/**
 * The gateway, `/api/gw/:integration/*` on node:http: a caller's request, authorized by API token, sent to
 * the integration through its resilient client, bodies streamed both ways. The query string goes upstream
 * exactly as sent; every answer carries the request id; the request is a SERVER span continuing the
 * caller's trace.
 */
export async function handleGateway(req: IncomingMessage, res: ServerResponse, target: RawTarget): Promise<void> {
  const startedAt = Date.now();
  const started = performance.now();
  const adopted = adoptRequestId(headerValue(req.headers['x-request-id']));
  const exchange: Exchange = {
    requestId: adopted.requestId,
    callId: adopted.adopted ? randomUUID() : undefined,
    trace: gatewayTrace(headerValue(req.headers.traceparent), headerValue(req.headers.tracestate)),
    callerGone: false,
    integration: '',
  };
  res.once('close', () => {
    if (res.writableFinished) return;
    exchange.callerGone = true;
    exchange.cancelCall?.();
  });
  try {
    const answer = await forward(req, res, target, exchange);
    if (answer && !exchange.callerGone) sendAnswer(req, res, answer);
  } catch (error) {
    exchange.errorType = (error as { errorType?: string }).errorType;
    if (!res.headersSent && !exchange.callerGone) sendAnswer(req, res, gatewayErrorAnswer(error, exchange.requestId));
    else res.destroy();
  }
  if (exchange.trace.server)
    recordGatewaySpan(exchange.trace, {
      method: req.method ?? 'GET',
      route: GATEWAY_ROUTE,
      integration: exchange.integration,
      status: res.statusCode,
      requestId: exchange.requestId,
      startedAt,
      durationMs: performance.now() - started,
      errorType: exchange.errorType,
      scheme: (req.socket as TLSSocket).encrypted ? 'https' : 'http',
    });
}

/**
 * The upstream's answer to a request holding an Idempotency-Key is kept for its repeats (even if this
 * caller has gone: the effect happened); no answer (refused, timed out, failed) frees the key.
 */
async function answeredOnce(call: Promise<ResilientResponse>, idempotent: IdempotentCall): Promise<ResilientResponse> {
  let response: ResilientResponse;
  try {
    response = await call;
  } catch (error) {
    await releaseIdempotentCall(idempotent);
    throw error;
  }
  await completeIdempotentCall(idempotent, {
    status: response.status,
    headers: responseHeaders(response),
    body: response.body,
  });
  return response;
}

/** Sends the upstream's answer itself, or returns the error answer to send instead. */
async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  { pathname, search }: RawTarget,
  exchange: Exchange,
): Promise<GatewayAnswer | undefined> {
  const { requestId } = exchange;
  const problem = pathProblem(pathname);
  if (problem) return gatewayError(400, problem.error, requestId, { field: problem.field });
  const method = req.method ?? 'GET';
  if (!METHODS.has(method))
    return gatewayError(405, `method ${method} is not allowed`, requestId, {}, { allow: [...METHODS].join(', ') });
  const [slug, ...segments] = pathname.slice(GATEWAY_PREFIX.length).split('/').map(decodeURIComponent);
  // A trailing slash names the same resource (Next used to redirect it away); an empty one inside is refused.
  if (segments.at(-1) === '') segments.pop();
  if (!slug || segments.length === 0)
    return gatewayError(404, 'not found: the gateway path is /api/gw/<integration>/<path>', requestId);
  exchange.integration = slug;

  const admitted = admitCaller(req.headers, slug, requestId);
  if ('refused' in admitted) return admitted.refused;
  const { owner, integration } = admitted;
  const body = await gatewayRequestBody(req);
  // Nothing is looked up for a request without the header (nearly all of them).
  const idempotencyKey = idempotencyKeyOf(method, req.headers);
  let idempotent: IdempotentCall | undefined;
  if (idempotencyKey !== undefined) {
    const claimed = await claimIdempotencyKey(
      idempotencyKey,
      { integrationId: integration.id, tokenId: owner.tokenId, method, path: `${pathname}${search}`, body },
      integration.policy.timeout.overallMs,
      requestId,
    );
    if ('send' in claimed) {
      if ('stream' in body) discardUnreadBody(req);
      if (!('bodyOmitted' in claimed.send)) return claimed.send;
      res.writeHead(claimed.send.status, claimed.send.headers);
      res.end(claimed.send.body);
      return undefined;
    }
    idempotent = claimed.call;
  }
  const call = forwardCall(integration, {
    method,
    segments,
    search,
    headers: req.headers,
    ...('stream' in body ? { body: body.stream, bodyLength: body.length } : { body: body.body }),
    // An answer that may be replayed is kept whole.
    streamResponse: idempotent === undefined,
    onCancel: (cancel) => {
      if (exchange.callerGone) cancel();
      else exchange.cancelCall = cancel;
    },
    requestId,
    callId: exchange.callId,
    traceparent: exchange.trace.traceparent,
    tracestate: exchange.trace.tracestate,
    callerKey: owner.tokenId,
  });
  const response = idempotent === undefined ? await call : await answeredOnce(call, idempotent);
  if (exchange.callerGone) {
    response.stream?.destroy();
    return undefined;
  }
  const headers = responseHeaders(response);
  const bodyless = method === 'HEAD' || response.status === 204 || response.status === 304;
  if (bodyless) {
    // Read to its end (nothing, normally) so the call is recorded and its connection freed.
    response.stream?.resume();
    res.writeHead(response.status, headers);
    res.end();
  } else if (response.stream && response.streamComplete) {
    // The whole body came with the headers (most answers): one write, no stream machinery per call.
    const whole = (response.stream.read() as Buffer | null) ?? EMPTY_BODY;
    headers['content-length'] = String(whole.length);
    res.writeHead(response.status, headers);
    res.end(whole);
  } else if (response.stream) {
    // Streamed as it arrives: chunked unless the upstream declared the length.
    const length = response.headers['content-length'];
    if (length !== undefined) headers['content-length'] = length;
    res.writeHead(response.status, headers);
    await pipeline(response.stream, res);
  } else {
    headers['content-length'] = String(response.body.length);
    res.writeHead(response.status, headers);
    res.end(response.body);
  }
  return undefined;
}
