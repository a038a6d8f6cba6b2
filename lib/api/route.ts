import { randomUUID } from 'node:crypto';
import { authenticate, isSameOriginRequest, type SessionUser } from '@/lib/auth';
import { type Db, getDb } from '@/lib/db';
import { log } from '@/lib/logging';
import { isDomainError } from '@/lib/model';
import { domainErrorResponse, jsonError, unauthorized, unstorablePathResponse } from './errors';

export interface Authed {
  user: SessionUser;
  db: Db;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Wraps a route handler: authenticates the caller (session cookie or API token), refuses a cookie-
 * authenticated write from another origin (CSRF: the browser attaches the cookie to any site's request;
 * a bearer token it never attaches), answers a DomainError the handler or the domain throws with its
 * status and field, and turns any other failure into a JSON 500 that names the request id, never a stack.
 */
export function authed<Ctx>(handler: (request: Request, context: Ctx, auth: Authed) => Promise<Response>) {
  return async (request: Request, context: Ctx): Promise<Response> => {
    const badPath = unstorablePathResponse(request);
    if (badPath) return badPath;
    const db = getDb();
    try {
      const caller = await authenticate(db, request);
      if (!caller) return unauthorized();
      if (caller.via === 'session' && !SAFE_METHODS.has(request.method) && !isSameOriginRequest(request)) {
        return jsonError(403, 'cross-origin request refused: a signed-in write must come from Breakwater’s own pages');
      }
      return await handler(request, context, { user: caller.user, db });
    } catch (error) {
      if (isDomainError(error)) return domainErrorResponse(error);
      const requestId = randomUUID();
      log.error({ err: error, requestId, path: new URL(request.url).pathname }, 'route failed');
      return jsonError(500, `internal error (request id ${requestId})`, {}, { 'x-request-id': requestId });
    }
  };
}
