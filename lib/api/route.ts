import { randomUUID } from 'node:crypto';
import {
  type Access,
  accessFor,
  authenticate,
  clientAddress,
  cookieValue,
  isSameOriginRequest,
  refusalOf,
  type SessionUser,
  WORKSPACE_COOKIE,
  WORKSPACE_HEADER,
  WORKSPACE_PARAM,
  type WorkspaceRef,
} from '@/lib/auth';
import { type Db, getDb } from '@/lib/db';
import { log } from '@/lib/logging';
import { isDomainError, type Role } from '@/lib/model';
import { domainErrorResponse, jsonError, unauthorized, unstorablePathResponse } from './errors';

/** What a handler gets: who calls, in which workspace (every read and write is scoped to it), with which role. */
export interface Authed {
  user: SessionUser;
  db: Db;
  workspace: WorkspaceRef;
  /** at least the role the route needs (checked before the handler runs) */
  role: Role;
  access: Access;
  /** who is acting, for the audit log (lib/audit recordAudit): the user, or their token; and from where */
  actor: { type: 'user' | 'token'; id: string; name: string; address: string };
}

export interface RouteNeeds {
  /** the least role that may call the route; by default viewer for reads and editor for writes */
  role?: Role;
}

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The workspace a request names explicitly: `?ws=`, else the header. */
function namedWorkspace(request: Request): string | undefined {
  return new URL(request.url).searchParams.get(WORKSPACE_PARAM) || request.headers.get(WORKSPACE_HEADER) || undefined;
}

/**
 * Wraps a route handler: authenticates the caller (session cookie or API token), resolves the workspace the
 * request is about and refuses (403) a caller whose role or token scopes fall short of what the route needs
 * (404 for a workspace the caller is not in, as for one that does not exist), refuses a cookie-
 * authenticated write from another origin (CSRF: the browser attaches the cookie to any site's request;
 * a bearer token it never attaches), answers a DomainError the handler or the domain throws with its
 * status and field, and turns any other failure into a JSON 500 that names the request id, never a stack.
 */
type Handler<Ctx> = (request: Request, context: Ctx, auth: Authed) => Promise<Response>;

export function authed<Ctx>(handler: Handler<Ctx>): (request: Request, context: Ctx) => Promise<Response>;
export function authed<Ctx>(
  needs: RouteNeeds,
  handler: Handler<Ctx>,
): (request: Request, context: Ctx) => Promise<Response>;
export function authed<Ctx>(first: RouteNeeds | Handler<Ctx>, second?: Handler<Ctx>) {
  const needs = typeof first === 'function' ? {} : first;
  const handler = typeof first === 'function' ? first : second!;
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
      // Named explicitly, a workspace the caller is not in is a 404. A browser's remembered choice (the
      // switcher's cookie) is only a preference: a stale one falls back to the caller's first workspace.
      const named = namedWorkspace(request);
      const remembered = caller.via === 'session' ? cookieValue(request, WORKSPACE_COOKIE) : undefined;
      const access =
        named !== undefined
          ? await accessFor(db, caller, named)
          : (remembered && (await accessFor(db, caller, remembered))) || (await accessFor(db, caller, undefined));
      if (!access) return jsonError(404, 'workspace not found', { field: WORKSPACE_PARAM });
      const needed = needs.role ?? (SAFE_METHODS.has(request.method) ? 'viewer' : 'editor');
      const refusal = refusalOf(access, needed);
      if (refusal || !access.role) return jsonError(403, refusal ?? 'forbidden');
      return await handler(request, context, {
        user: caller.user,
        db,
        workspace: access.workspace,
        role: access.role,
        access,
        actor: access.token
          ? {
              type: 'token',
              id: access.token.id,
              name: `token of ${caller.user.username}`,
              address: clientAddress(request),
            }
          : { type: 'user', id: caller.user.id, name: caller.user.username, address: clientAddress(request) },
      });
    } catch (error) {
      return failureResponse(error, new URL(request.url).pathname);
    }
  };
}

/**
 * The answer to a handler's failure: a DomainError with its status and field, anything else a JSON 500 that
 * names a request id (logged with the error), never the message or a stack. Every route wrapper uses it.
 */
export function failureResponse(error: unknown, path: string): Response {
  if (isDomainError(error)) return domainErrorResponse(error);
  const requestId = randomUUID();
  log.error({ err: error, requestId, path }, 'route failed');
  return jsonError(500, `internal error (request id ${requestId})`, {}, { 'x-request-id': requestId });
}
