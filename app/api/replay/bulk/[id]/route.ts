import { authed, notFound } from '@/lib/api';
import { findReplayRun } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const { id } = await params;
  const run = await findReplayRun(db, workspace.id, id);
  return run ? Response.json(run) : notFound(`replay run "${id}"`);
});
