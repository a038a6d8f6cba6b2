import { authed, notFound } from '@/lib/api';
import { cancelReplayRun } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const POST = authed<Context>(async (_request, { params }, { db }) => {
  const { id } = await params;
  const run = await cancelReplayRun(db, id);
  return run ? Response.json(run) : notFound(`replay run "${id}"`);
});
