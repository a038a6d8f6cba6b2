import { authed, notFound } from '@/lib/api';
import { revokeApiToken } from '@/lib/auth';

export const DELETE = authed<{ params: Promise<{ id: string }> }>(async (_request, { params }, { db, user }) => {
  const { id } = await params;
  if (!(await revokeApiToken(db, user.id, id))) return notFound('token');
  return new Response(null, { status: 204 });
});
