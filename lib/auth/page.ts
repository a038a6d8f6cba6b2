import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { getDb } from '@/lib/db';
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
