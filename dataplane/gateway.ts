import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pathProblem } from '@/lib/api';
import { bearerTokenOf, tokenOwnerForGateway } from '@/lib/auth';
import {
  BodyTooLargeError,
  forwardCall,
  type GatewayAnswer,
  gatewayError,
  gatewayErrorAnswer,
  integrationForGateway,
  MAX_BODY_BYTES,
  responseHeaders,
} from '@/lib/integrations';
import { GATEWAY_PREFIX, rawTarget, resolvedPath, sendJson } from './http';

const METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);

/** The one place the gateway resolves an API token to its owner. */
function tokenOwner(headers: IncomingHttpHeaders) {
  return tokenOwnerForGateway(bearerTokenOf(headers.authorization));
}

/** The one place the gateway looks an integration up by its slug. */
function integrationBySlug(slug: string) {
  return integrationForGateway(slug);
}

/**
 * The request body, buffered up to `limit` bytes (undefined when there is none): a declared length over
 * the limit is refused before reading, a body that grows past it as soon as it does.
 */
export async function readGatewayBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return size ? Buffer.concat(chunks, size) : undefined;
}

function sendAnswer(res: ServerResponse, answer: GatewayAnswer): void {
  // An unread body may still be arriving: closing the connection beats reading it only to discard it.
  const headers = answer.status === 413 ? { ...answer.headers, connection: 'close' } : answer.headers;
  sendJson(res, answer.status, headers, answer.body);
}

/**
 * The gateway, `/api/gw/:integration/*` on node:http: a caller's request, authorized by API token, sent to
 * the integration through its resilient client. The query string goes upstream exactly as sent.
 */
export async function handleGateway(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const caller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) caller.abort();
  });
  try {
    const answer = await forward(req, res, requestId, caller.signal);
    if (answer && !caller.signal.aborted) sendAnswer(res, answer);
  } catch (error) {
    if (!caller.signal.aborted) sendAnswer(res, gatewayErrorAnswer(error, requestId));
  }
}

/** Sends the upstream's answer itself, or returns the error answer to send instead. */
async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  signal: AbortSignal,
): Promise<GatewayAnswer | undefined> {
  const target = rawTarget(req.url ?? '/');
  const { search } = target;
  const pathname = resolvedPath(target.pathname);
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

  const owner = tokenOwner(req.headers);
  if (!owner)
    return gatewayError(401, 'authentication required: sign in, or send Authorization: Bearer <token>', requestId);
  const integration = integrationBySlug(slug);
  if (!integration) return gatewayError(404, `integration "${slug}" not found`, requestId);
  const body = await readGatewayBody(req, MAX_BODY_BYTES);
  const response = await forwardCall(integration, {
    method,
    segments,
    search,
    headers: req.headers,
    body,
    signal,
    requestId,
    callerKey: owner.tokenId,
  });
  if (signal.aborted) return undefined;
  const headers = responseHeaders(response);
  const bodyless = method === 'HEAD' || response.status === 204 || response.status === 304;
  if (!bodyless) headers['content-length'] = String(response.body.length);
  res.writeHead(response.status, headers);
  res.end(bodyless ? undefined : response.body);
  return undefined;
}
