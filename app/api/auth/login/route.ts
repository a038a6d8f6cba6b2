import { z } from 'zod';
import { jsonError, parseJsonBody } from '@/lib/api';
import { isSecureRequest, logIn, sessionCookie } from '@/lib/auth';
import { getDb } from '@/lib/db';

const loginSchema = z.object({
  username: z.string().min(1, 'is required').max(100),
  password: z.string().min(1, 'is required').max(1000),
});

export async function POST(request: Request) {
  const body = await parseJsonBody(request, loginSchema);
  if (!body.ok) return body.response;
  const result = await logIn(getDb(), body.data.username, body.data.password);
  if (!result.ok && result.reason === 'locked') {
    return jsonError(
      429,
      'too many failed sign-ins; try again later',
      {},
      { 'retry-after': String(result.retryAfterSeconds) },
    );
  }
  if (!result.ok) return jsonError(401, 'wrong username or password');
  const headers = { 'set-cookie': sessionCookie(result.token, result.expiresAt, isSecureRequest(request)) };
  return Response.json({ ok: true }, { headers });
}
