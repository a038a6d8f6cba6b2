import type { Db } from '@/lib/db';
import { log } from '@/lib/logging';
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

/** Where a session was opened from, shown to its owner in their session list. */
export interface SessionOrigin {
  address?: string | null;
  userAgent?: string | null;
}

/** lastSeenAt is written at most this often per session, so a busy dashboard costs no write per request. */
const LAST_SEEN_WRITE_MS = 60_000;

export async function createSession(
  db: Db,
  userId: string,
  origin: SessionOrigin = {},
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomSecret();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.session.create({
    data: {
      id: sha256(token),
      userId,
      expiresAt,
      address: origin.address?.slice(0, 100) ?? null,
      userAgent: origin.userAgent?.slice(0, 300) ?? null,
    },
  });
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
    select: { expiresAt: true, lastSeenAt: true, user: { select: { id: true, username: true, isOwner: true } } },
  });
  if (!session || session.expiresAt.getTime() <= now) {
    verifiedSessions.delete(id);
    return null;
  }
  if (now - session.lastSeenAt.getTime() >= LAST_SEEN_WRITE_MS) {
    // Best effort: a session deleted meanwhile has nothing to update, and a locked or unreachable database
    // must not sign anyone out or fail the page (the next request after LAST_SEEN_WRITE_MS tries again).
    await db.session
      .updateMany({ where: { id }, data: { lastSeenAt: new Date(now) } })
      .catch((error: unknown) => log.warn({ err: error }, 'session last-seen time not written'));
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

/** A session as its owner sees it: `id` is derived from the stored hash (never the cookie value). */
export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  address: string | null;
  userAgent: string | null;
  /** the session this request came with */
  current: boolean;
}

const publicSessionId = (storedId: string) => sha256(storedId).slice(0, 24);

/** The user's live sessions, most recently used first; `currentToken` marks the caller's own. */
export async function listSessions(db: Db, userId: string, currentToken?: string): Promise<SessionView[]> {
  const currentId = currentToken ? sha256(currentToken) : null;
  const rows = await db.session.findMany({
    where: { userId, expiresAt: { gt: new Date() } },
    orderBy: [{ lastSeenAt: 'desc' }, { createdAt: 'desc' }],
  });
  return rows.map((row) => ({
    id: publicSessionId(row.id),
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    address: row.address,
    userAgent: row.userAgent,
    current: row.id === currentId,
  }));
}

/** Ends one of the user's sessions by its public id; false when the user has no such session. */
export async function revokeSession(db: Db, userId: string, publicId: string): Promise<boolean> {
  const rows = await db.session.findMany({ where: { userId }, select: { id: true } });
  const row = rows.find((r) => publicSessionId(r.id) === publicId);
  if (!row) return false;
  verifiedSessions.delete(row.id);
  await db.session.deleteMany({ where: { id: row.id } });
  return true;
}

/**
 * Ends every session of the user (but the one whose cookie is `keepToken`), at once in this process (other
 * processes within CREDENTIAL_CACHE_MS). Returns how many ended.
 */
export async function deleteSessionsOf(db: Db, userId: string, keepToken?: string): Promise<number> {
  const keepId = keepToken ? sha256(keepToken) : undefined;
  const { count } = await db.session.deleteMany({ where: { userId, ...(keepId ? { id: { not: keepId } } : {}) } });
  for (const [key, entry] of verifiedSessions)
    if (entry.user.id === userId && key !== keepId) verifiedSessions.delete(key);
  return count;
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
