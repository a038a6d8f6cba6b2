import type { Db } from '@/lib/db';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE, type SessionUser, userForSession } from './sessions';
import { type TokenOwner, verifyApiToken } from './tokens';

export function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session token from the cookie, under its HTTPS name or its plain-http name. */
export function sessionToken(request: Request): string | undefined {
  return cookieValue(request, SECURE_SESSION_COOKIE) || cookieValue(request, SESSION_COOKIE);
}

export function bearerToken(request: Request): string | undefined {
  return bearerTokenOf(request.headers.get('authorization'));
}

/** The token of an `Authorization: Bearer <token>` header value (node:http callers have no Request). */
export function bearerTokenOf(header: string | null | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)$/i)?.[1];
}

/** Who made a request, and by which credential: only a session cookie is sent by a browser on its own. */
export interface Caller {
  user: SessionUser;
  via: 'session' | 'token';
  /** the token's owner and grants, when via is 'token' */
  token?: TokenOwner;
}

/**
 * The signed-in user behind a request: an API token when an Authorization header is sent (an explicit
 * credential decides alone), otherwise the session cookie. Both are checked against the store (cached briefly).
 */
export async function authenticate(db: Db, request: Request): Promise<Caller | null> {
  if (request.headers.has('authorization')) {
    const owner = await verifyApiToken(db, bearerToken(request));
    if (!owner) return null;
    const user = await db.user.findUnique({
      where: { id: owner.userId },
      select: { id: true, username: true, isOwner: true },
    });
    return user && { user, via: 'token', token: owner };
  }
  const user = await userForSession(db, sessionToken(request));
  return user && { user, via: 'session' };
}

export function isSecureRequest(request: Request): boolean {
  const forwarded = request.headers.get('x-forwarded-proto');
  if (forwarded) return forwarded.split(',')[0].trim() === 'https';
  return new URL(request.url).protocol === 'https:';
}

/** The session cookie is Secure (and `__Host-` named) in production over HTTPS only; plain http on 127.0.0.1 keeps working. */
export function wantsSecureCookie(request: Request): boolean {
  return process.env.NODE_ENV === 'production' && isSecureRequest(request);
}

/**
 * The origin the browser addressed: the scheme as isSecureRequest trusts it, and the Host header (Next's
 * `request.url` names the address it listens on, not the one the client used). For links handed to users.
 */
export function ownOrigin(request: Request): string {
  const host = request.headers.get('host') ?? new URL(request.url).host;
  return `${isSecureRequest(request) ? 'https' : 'http'}://${host}`;
}

/**
 * Whether a browser sent this request from Breakwater's own pages. Browsers send Sec-Fetch-Site on every
 * request (it decides when present: `same-site` is not enough, another port of the same host is same-site);
 * older ones send Origin on every unsafe request. A request with neither is refused: it cannot be told
 * apart from a forged one.
 */
export function isSameOriginRequest(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin';
  return request.headers.get('origin') === ownOrigin(request);
}

/**
 * Whether a browser sent this request from another site's page (login CSRF). Unlike isSameOriginRequest,
 * a request with neither header passes: scripts and curl sign in too, and no browser omits both.
 */
export function isCrossSiteRequest(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.get('origin');
  return origin !== null && origin !== ownOrigin(request);
}
