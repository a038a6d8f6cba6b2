import type { Db } from '@/lib/db';
import { SESSION_COOKIE, type SessionUser, userForSession } from './sessions';
import { verifyApiToken } from './tokens';

export function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** The signed-in user behind a request: a session cookie, or an API token for scripted access. */
export async function authenticate(db: Db, request: Request): Promise<SessionUser | null> {
  const sessionUser = await userForSession(db, cookieValue(request, SESSION_COOKIE));
  if (sessionUser) return sessionUser;
  const owner = await verifyApiToken(db, bearerToken(request));
  if (!owner) return null;
  return db.user.findUnique({ where: { id: owner.userId }, select: { id: true, username: true } });
}

export function isSecureRequest(request: Request): boolean {
  const forwarded = request.headers.get('x-forwarded-proto');
  if (forwarded) return forwarded.split(',')[0].trim() === 'https';
  return new URL(request.url).protocol === 'https:';
}
