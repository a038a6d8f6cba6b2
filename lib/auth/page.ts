import { cookies } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { getDb } from '@/lib/db';
import type { Role } from '@/lib/model';
import { type Access, accessFor, membershipsOf, refusalOf, WORKSPACE_COOKIE } from './access';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE, type SessionUser, userForSession } from './sessions';

/**
 * The signed-in user of a server page, or a redirect to sign-in. Every page and loader under app/(app) calls
 * it before reading data: a layout's check runs beside the page, not before it, so it guards nothing alone.
 */
export async function requireUser(): Promise<SessionUser> {
  const jar = await cookies();
  const token = jar.get(SECURE_SESSION_COOKIE)?.value || jar.get(SESSION_COOKIE)?.value;
  const user = await userForSession(getDb(), token);
  if (!user) redirect('/login');
  return user;
}

/**
 * The signed-in user's access to the workspace a server page is about: the page's `ws` search parameter,
 * else the switcher's cookie (a stale one is ignored), else the user's first workspace. A workspace the user is not in is a 404,
 * as is a page that needs a higher role than the user has there (pages offer no action they would refuse).
 * A user in no workspace at all is sent to /account, which says so.
 */
export async function requireAccess(ws?: string | string[], needed: Role = 'viewer'): Promise<Access> {
  const user = await requireUser();
  const jar = await cookies();
  const named = (Array.isArray(ws) ? ws[0] : ws) || undefined;
  const remembered = jar.get(WORKSPACE_COOKIE)?.value;
  const caller = { user, via: 'session' as const };
  const access = named
    ? await accessFor(getDb(), caller, named)
    : (remembered && (await accessFor(getDb(), caller, remembered))) || (await accessFor(getDb(), caller, undefined));
  // A user removed from every workspace may still sign in: their account page says "no workspace".
  if (!access && (await membershipsOf(getDb(), user.id)).length === 0) redirect('/account');
  if (!access || refusalOf(access, needed)) notFound();
  return access;
}
