import { authed } from '@/lib/api';
import { clearedSessionCookies, deleteSession, sessionToken } from '@/lib/auth';

export const POST = authed(async (request, _context, { db }) => {
  const token = sessionToken(request);
  if (token) await deleteSession(db, token);
  const headers = new Headers();
  for (const cookie of clearedSessionCookies()) headers.append('set-cookie', cookie);
  return Response.json({ ok: true }, { headers });
});
