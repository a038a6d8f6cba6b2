import { z } from 'zod';
import { jsonError, parseJsonBody } from '@/lib/api';
import { clientAddress, isCrossSiteRequest, logIn, sessionCookie, wantsSecureCookie } from '@/lib/auth';
import { getDb } from '@/lib/db';

const loginSchema = z.object({
  username: z.string().min(1, 'is required').max(100),
  password: z.string().min(1, 'is required').max(1000),
});

export async function POST(request: Request) {
  // Login CSRF: another site's page must not sign the browser in to an account of its choosing.
  if (isCrossSiteRequest(request)) return jsonError(403, 'cross-origin sign-in refused');
  const body = await parseJsonBody(request, loginSchema);
  if (!body.ok) return body.response;
  const result = await logIn(
    getDb(),
    body.data.username,
    body.data.password,
    clientAddress(request),
    request.headers.get('user-agent'),
  );
  if (!result.ok && result.reason === 'throttled') {
    return jsonError(
      429,
      'too many failed sign-ins; try again later',
      {},
      { 'retry-after': String(result.retryAfterSeconds) },
    );
  }
  if (!result.ok) return jsonError(401, 'wrong username or password');
  const headers = { 'set-cookie': sessionCookie(result.token, result.expiresAt, wantsSecureCookie(request)) };
  return Response.json({ ok: true }, { headers });
}
