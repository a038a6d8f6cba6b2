import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { domainErrorBody, pathProblem } from '@/lib/api';
import { getDb } from '@/lib/db';
import { log } from '@/lib/logging';
import { isDomainError } from '@/lib/model';

/** The slug of the workspace the migration creates (it holds every source made before workspaces). */
const DEFAULT_WORKSPACE_SLUG = 'default';

import { receiveWebhook } from '@/lib/webhooks';
import { discardUnreadBody, type RawTarget, sendJson } from './http';

/** `/api/webhooks/<workspace>/<source>`, or the older `/api/webhooks/<source>` (the `default` workspace's). */
const SOURCE_PATH = /^\/api\/webhooks\/([^/]+)(?:\/([^/]+))?$/;

/**
 * Inbound webhooks, `POST /api/webhooks/:workspace/:source` (`/api/webhooks/:source` keeps working for the
 * `default` workspace's sources, so senders set up before workspaces need no change): public, trusted by the sender's signature (lib/webhooks).
 * The receiver reads the body from the socket with the source's limit and answers once the delivery and its
 * forward job are committed (group commit).
 */
export async function handleWebhook(req: IncomingMessage, res: ServerResponse, { pathname }: RawTarget): Promise<void> {
  const problem = pathProblem(pathname);
  if (problem) return sendJson(res, 400, {}, problem);
  const match = SOURCE_PATH.exec(pathname);
  if (!match)
    return sendJson(res, 404, {}, { error: 'not found: webhooks are posted to /api/webhooks/<workspace>/<source>' });
  if (req.method !== 'POST') return sendJson(res, 405, { allow: 'POST' }, { error: 'webhooks are sent with POST' });
  try {
    const [workspace, source] = match[2] === undefined ? [DEFAULT_WORKSPACE_SLUG, match[1]] : [match[1], match[2]];
    const answer = await receiveWebhook(getDb(), decodeURIComponent(workspace), decodeURIComponent(source), {
      headers: req.headers,
      body: req,
    });
    sendJson(res, answer.status, {}, answer.body);
    if (answer.status === 413) discardUnreadBody(req);
  } catch (error) {
    // Answered already: the body stalled (408, limitBodyStall) and its read failed when the socket closed.
    if (res.headersSent) return;
    if (isDomainError(error)) return sendJson(res, error.status, {}, domainErrorBody(error));
    const requestId = randomUUID();
    log.error({ err: error, requestId, path: pathname }, 'webhook delivery failed');
    sendJson(res, 500, { 'x-request-id': requestId }, { error: `internal error (request id ${requestId})` });
  }
}
