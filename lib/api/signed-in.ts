import { authenticate, type Caller, clientAddress, isSameOriginRequest } from '@/lib/auth';
import { type Db, getDb } from '@/lib/db';
import { jsonError, unauthorized, unstorablePathResponse } from './errors';
import { failureResponse, SAFE_METHODS } from './route';

export interface SignedIn {
  caller: Caller;
  db: Db;
  address: string;
}

/**
 * Like `authed`, for routes about the caller themself rather than a workspace (their password, sessions,
 * workspace list): any signed-in user, a user in no workspace included. With `sessionOnly`, a token is
 * refused (403): what belongs to the person at the keyboard is not a token's to change.
 */
export function signedIn<Ctx>(
  options: { sessionOnly?: boolean },
  handler: (request: Request, context: Ctx, auth: SignedIn) => Promise<Response>,
): (request: Request, context: Ctx) => Promise<Response> {
  return async (request, context) => {
    const badPath = unstorablePathResponse(request);
    if (badPath) return badPath;
    const db = getDb();
    try {
      const caller = await authenticate(db, request);
      if (!caller) return unauthorized();
      if (options.sessionOnly && caller.via === 'token') {
        return jsonError(403, 'forbidden: this is for a signed-in browser session, not an API token');
      }
      if (caller.via === 'session' && !SAFE_METHODS.has(request.method) && !isSameOriginRequest(request)) {
        return jsonError(403, 'cross-origin request refused: a signed-in write must come from Breakwater’s own pages');
      }
      return await handler(request, context, { caller, db, address: clientAddress(request) });
    } catch (error) {
      return failureResponse(error, new URL(request.url).pathname);
    }
  };
}
