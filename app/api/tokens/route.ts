import { z } from 'zod';
import { authed, parseJsonBody } from '@/lib/api';
import { createApiToken, listApiTokens } from '@/lib/auth';

const tokenSchema = z.object({ name: z.string().trim().min(1, 'is required').max(100) });

export const GET = authed(async (_request, _context, { db, user }) =>
  Response.json({ tokens: await listApiTokens(db, user.id) }),
);

/** The clear token is in this response only; it is stored hashed. */
export const POST = authed(async (request, _context, { db, user }) => {
  const body = await parseJsonBody(request, tokenSchema);
  if (!body.ok) return body.response;
  const { token, view } = await createApiToken(db, user.id, body.data.name);
  return Response.json({ token, ...view }, { status: 201 });
});
