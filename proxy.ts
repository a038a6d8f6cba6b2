import { type NextRequest, NextResponse } from 'next/server';
import {
  accessFor,
  authenticate,
  isSecureRequest,
  type SessionUser,
  sessionToken,
  userForSession,
  WORKSPACE_COOKIE,
  WORKSPACE_HEADER,
  WORKSPACE_PARAM,
} from '@/lib/auth';
import { getDb } from '@/lib/db';
import { findIntegration } from '@/lib/integrations';

// Reachable without a session: the login page and call, health, and an invitation link (its page and call). Everything else needs a session (pages)
// or a session or API token (API), verified here against the store (cached for a few seconds), and again by
// each route handler and page before it reads data. The gateway and inbound webhooks never reach Next:
// server.ts hands them to dataplane/, which checks their own credentials.
const PUBLIC = [/^\/login$/, /^\/api\/health$/, /^\/api\/auth\/login$/, /^\/invite\/[^/]+$/, /^\/api\/invites\/[^/]+$/];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A path Next would fail to decode (a 500 from its router): malformed percent-encoding, bytes that are not
 * UTF-8 (decodeURIComponent refuses both, encoded surrogates included), or a lone surrogate however it came.
 */
function isMalformedPath(pathname: string): boolean {
  try {
    return LONE_SURROGATE.test(decodeURIComponent(pathname));
  } catch {
    return true;
  }
}

/** Headers for every page; the nonce lets Next's own inline scripts run and nothing else inline. */
function pageSecurityHeaders(request: NextRequest, nonce: string): Record<string, string> {
  const scriptSources = [`'self'`, `'nonce-${nonce}'`, `'strict-dynamic'`];
  if (process.env.NODE_ENV === 'development') scriptSources.push(`'unsafe-eval'`);
  const policy = [
    `default-src 'self'`,
    `script-src ${scriptSources.join(' ')}`,
    // React renders style attributes (charts, layout), which a nonce cannot cover.
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `frame-ancestors 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `object-src 'none'`,
  ].join('; ');
  return {
    'content-security-policy': policy,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    ...(isSecureRequest(request) && { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }),
  };
}

function withHeaders(response: NextResponse, headers: Record<string, string>): NextResponse {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

const INTEGRATION_PAGE = /^\/integrations\/([^/]+)$/;

/**
 * Whether a signed-in user's integration page names an integration that is not there (in the workspace the
 * page would show, chosen as requireAccess chooses it). The (app) pages stream behind loading.tsx, so the
 * page's own notFound() can only show the not-found page under a 200 that is already sent (vercel/next.js
 * #76474): the status is decided here, before the stream starts.
 */
async function isMissingIntegration(request: NextRequest, user: SessionUser): Promise<boolean> {
  const slug = INTEGRATION_PAGE.exec(request.nextUrl.pathname)?.[1];
  if (!slug) return false;
  const db = getDb();
  const caller = { user, via: 'session' as const };
  const named = request.nextUrl.searchParams.get(WORKSPACE_PARAM) || undefined;
  const remembered = request.cookies.get(WORKSPACE_COOKIE)?.value;
  const access = named
    ? await accessFor(db, caller, named)
    : (remembered && (await accessFor(db, caller, remembered))) || (await accessFor(db, caller, undefined));
  // No workspace at all: the page itself sends the user to /account.
  if (!access) return named !== undefined;
  return (await findIntegration(db, access.workspace.id, decodeURIComponent(slug))) === null;
}

export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const isApi = pathname.startsWith('/api/');
  if (isMalformedPath(pathname)) {
    return isApi
      ? NextResponse.json({ error: 'malformed URL path: bad percent-encoding', field: '(path)' }, { status: 400 })
      : new NextResponse('Bad request: malformed URL path.\n', {
          status: 400,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        });
  }
  if (isApi) {
    if (PUBLIC.some((pattern) => pattern.test(pathname)) || (await authenticate(getDb(), request))) {
      return NextResponse.next();
    }
    return NextResponse.json(
      { error: 'authentication required: sign in, or send Authorization: Bearer <token>' },
      { status: 401 },
    );
  }

  const nonce = btoa(crypto.randomUUID());
  const headers = pageSecurityHeaders(request, nonce);
  // Pages take the session cookie only: a token is for scripts, and a browser never sends one by itself.
  const isPublic = PUBLIC.some((pattern) => pattern.test(pathname));
  const user = isPublic ? null : await userForSession(getDb(), sessionToken(request));
  if (!isPublic && !user) {
    const login = new URL('/login', request.url);
    if (pathname !== '/') login.searchParams.set('next', pathname + search);
    return withHeaders(NextResponse.redirect(login), headers);
  }
  const ws = request.nextUrl.searchParams.get(WORKSPACE_PARAM);
  // Next reads the nonce from the request's CSP header and puts it on the scripts it renders. The layout
  // reads the page's workspace from a header only this proxy sets (a client's own is replaced).
  const forwarded = new Headers(request.headers);
  forwarded.set('content-security-policy', headers['content-security-policy']);
  forwarded.delete(WORKSPACE_HEADER);
  if (ws) forwarded.set(WORKSPACE_HEADER, ws);
  // An address that cannot exist is answered by the root not-found page (Next gives an unmatched path 404).
  if (user && (await isMissingIntegration(request, user)))
    return withHeaders(
      NextResponse.rewrite(new URL('/_not-found', request.url), { request: { headers: forwarded }, status: 404 }),
      headers,
    );
  const response = withHeaders(NextResponse.next({ request: { headers: forwarded } }), headers);
  // The workspace last opened is remembered, for links that do not name one.
  if (user && ws && request.cookies.get(WORKSPACE_COOKIE)?.value !== ws && /^[a-z0-9][a-z0-9-]{0,62}$/.test(ws)) {
    response.cookies.set(WORKSPACE_COOKIE, ws, {
      path: '/',
      sameSite: 'lax',
      maxAge: 31536000,
      secure: isSecureRequest(request) && process.env.NODE_ENV === 'production',
    });
  }
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
