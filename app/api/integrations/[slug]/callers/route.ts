import { authed, notFound } from '@/lib/api';
import { integrationCallers } from '@/lib/auth';

/** The integration's callers (its workspace's tokens that may call it) with their calls this month, quota and rate limit. */
export const GET = authed<{ params: Promise<{ slug: string }> }>(async (_request, { params }, { db, workspace }) => {
  const { slug } = await params;
  const callers = await integrationCallers(db, workspace.id, slug);
  return callers ? Response.json({ callers }) : notFound('integration');
});
