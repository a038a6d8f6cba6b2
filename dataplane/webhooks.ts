import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { domainErrorResponse, pathProblem } from '@/lib/api';
import { getDb } from '@/lib/db';
import { log } from '@/lib/logging';
import { isDomainError } from '@/lib/model';
import { receiveWebhook } from '@/lib/webhooks';
import { rawTarget, resolvedPath, sendJson, sendResponse } from './http';

const SOURCE_PATH = /^\/api\/webhooks\/([^/]+)$/;

/** The receiver still takes a WHATWG Request: the one adaptation from node:http, body streamed, not read. */
function fetchRequest(req: IncomingMessage, pathAndQuery: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`http://${req.headers.host ?? 'localhost'}${pathAndQuery}`, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    duplex: 'half',
  } as RequestInit);
}

/** Inbound webhooks, `POST /api/webhooks/:source`: public, trusted by the sender's signature (lib/webhooks). */
export async function handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = rawTarget(req.url ?? '/');
  const { search } = target;
  const pathname = resolvedPath(target.pathname);
  const problem = pathProblem(pathname);
  if (problem) return sendJson(res, 400, {}, problem);
  const match = SOURCE_PATH.exec(pathname);
  if (!match) return sendJson(res, 404, {}, { error: 'not found: webhooks are posted to /api/webhooks/<source>' });
  if (req.method !== 'POST') return sendJson(res, 405, { allow: 'POST' }, { error: 'webhooks are sent with POST' });
  try {
    await sendResponse(
      res,
      await receiveWebhook(getDb(), decodeURIComponent(match[1]), fetchRequest(req, pathname + search)),
    );
  } catch (error) {
    if (isDomainError(error)) return sendResponse(res, domainErrorResponse(error));
    const requestId = randomUUID();
    log.error({ err: error, requestId, path: pathname }, 'webhook delivery failed');
    sendJson(res, 500, { 'x-request-id': requestId }, { error: `internal error (request id ${requestId})` });
  }
}
