import type { Db } from '@/lib/db';
import { processSingleton } from '@/lib/server/singleton';
import { randomSecret, sha256 } from './secrets';

/** The cookie's name over plain http (tests, the demo on 127.0.0.1). */
export const SESSION_COOKIE = 'bw_session';
/** Its name over HTTPS: the `__Host-` prefix makes the browser refuse it unless Secure, host-only and Path=/. */
export const SECURE_SESSION_COOKIE = '__Host-bw_session';
const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
/** How long a verified session is trusted without reading the store again (sessions deleted elsewhere). */
export const CREDENTIAL_CACHE_MS = 5000;

export interface SessionUser {
  id: string;
  username: string;
  /** the instance owner: creates workspaces and their admins */
  isOwner: boolean;
}

// The proxy, pages and route handlers are separate bundles in one process: the cache lives on globalThis so
// that a logout anywhere in this process clears it for all of them at once.
const verifiedSessions = processSingleton('sessions', () => new Map<string, { user: SessionUser; until: number }>());

export async function createSession(db: Db, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomSecret();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.session.create({ data: { id: sha256(token), userId, expiresAt } });
  return { token, expiresAt };
}

/** The session's user, from the store or from a verification at most CREDENTIAL_CACHE_MS old. */
export async function userForSession(db: Db, token: string | undefined | null): Promise<SessionUser | null> {
  if (!token) return null;
  const id = sha256(token);
  const now = Date.now();
  const hit = verifiedSessions.get(id);
  if (hit && hit.until > now) return hit.user;
  const session = await db.session.findUnique({
    where: { id },
    select: { expiresAt: true, user: { select: { id: true, username: true, isOwner: true } } },
  });
  if (!session || session.expiresAt.getTime() <= now) {
    verifiedSessions.delete(id);
    return null;
  }
  // Expired entries are dropped as they are met; the sweep keeps strangers' one-off sessions from piling up.
  if (verifiedSessions.size >= 10_000) {
    for (const [key, entry] of verifiedSessions) if (entry.until <= now) verifiedSessions.delete(key);
  }
  verifiedSessions.set(id, {
    user: session.user,
    until: Math.min(now + CREDENTIAL_CACHE_MS, session.expiresAt.getTime()),
  });
  return session.user;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  const id = sha256(token);
  verifiedSessions.delete(id);
  await db.session.deleteMany({ where: { id } });
}

/**
 * Set-Cookie value. `secure` (production over TLS, directly or through a proxy) adds Secure and the
 * `__Host-` name; plain http keeps `bw_session` so the demo and tests on 127.0.0.1 work.
 */
export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const parts = [
    `${secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/** Clears the session cookie under whichever name it was set. */
export function clearedSessionCookies(): string[] {
  return [sessionCookie('', new Date(0), false), sessionCookie('', new Date(0), true)];
}
