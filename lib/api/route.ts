import { randomUUID } from 'node:crypto';
import { authenticate, type SessionUser } from '@/lib/auth';
import { type Db, getDb } from '@/lib/db';
import { log } from '@/lib/logging';
import { jsonError, unauthorized, unstorablePathResponse } from './errors';

export interface Authed {
  user: SessionUser;
  db: Db;
}

/**
 * Wraps a route handler: authenticates the caller (session cookie or API token) and turns an unexpected
 * failure into a JSON 500 that names the request id, never a stack.
 */
export function authed<Ctx>(handler: (request: Request, context: Ctx, auth: Authed) => Promise<Response>) {
  return async (request: Request, context: Ctx): Promise<Response> => {
    const badPath = unstorablePathResponse(request);
    if (badPath) return badPath;
    const db = getDb();
    try {
      const user = await authenticate(db, request);
      if (!user) return unauthorized();
      return await handler(request, context, { user, db });
    } catch (error) {
      const requestId = randomUUID();
      log.error({ err: error, requestId, path: new URL(request.url).pathname }, 'route failed');
      return jsonError(500, `internal error (request id ${requestId})`, {}, { 'x-request-id': requestId });
    }
  };
}
