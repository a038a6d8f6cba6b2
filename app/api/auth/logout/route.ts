import { authed } from '@/lib/api';
import { clearedSessionCookie, cookieValue, deleteSession, isSecureRequest, SESSION_COOKIE } from '@/lib/auth';

export const POST = authed(async (request, _context, { db }) => {
  const token = cookieValue(request, SESSION_COOKIE);
  if (token) await deleteSession(db, token);
  return Response.json({ ok: true }, { headers: { 'set-cookie': clearedSessionCookie(isSecureRequest(request)) } });
});
