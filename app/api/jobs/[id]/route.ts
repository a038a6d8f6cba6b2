import { authed, notFound } from '@/lib/api';
import { findJob } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const { id } = await params;
  const job = await findJob(db, workspace.id, id);
  return job ? Response.json(job) : notFound(`job "${id}"`);
});
