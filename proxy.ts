import { type NextRequest, NextResponse } from 'next/server';
import { GATEWAY_RAW_QUERY_HEADER } from '@/lib/model';

// Reachable without a session: the login page and call, health, the gateway (which checks its own
// API token) and inbound webhooks (which check the sender's signature). Everything else needs a session
// cookie or a bearer token; route handlers and the app layout then verify it against the database, so
// this is the first of two locks, not the only one.
const PUBLIC = [/^\/login$/, /^\/api\/health$/, /^\/api\/auth\/login$/, /^\/api\/gw\//, /^\/api\/webhooks\/[^/]+$/];

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC.some((pattern) => pattern.test(pathname)))
    return pathname.startsWith('/api/gw/') ? withRawQuery(request) : NextResponse.next();
  const hasCredentials =
    request.cookies.has('bw_session') || /^Bearer\s+\S+$/i.test(request.headers.get('authorization') ?? '');
  if (hasCredentials) return NextResponse.next();
  if (pathname.startsWith('/api/')) {
    return NextResponse.json(
      { error: 'authentication required: sign in, or send Authorization: Bearer <token>' },
      { status: 401 },
    );
  }
  const login = new URL('/login', request.url);
  if (pathname !== '/') login.searchParams.set('next', pathname + search);
  return NextResponse.redirect(login);
}

/** Hands the gateway the caller's query as sent (next.config's skipProxyUrlNormalize keeps it raw here). */
function withRawQuery(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set(GATEWAY_RAW_QUERY_HEADER, request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
