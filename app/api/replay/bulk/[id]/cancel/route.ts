import { authed, notFound } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { cancelReplayRun } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** Operators and up; another workspace's run is a 404. */
export const POST = authed<Context>({ role: 'operator' }, async (_request, { params }, { db, workspace, actor }) => {
  const { id } = await params;
  const run = await cancelReplayRun(db, workspace.id, id);
  if (!run) return notFound(`replay run "${id}"`);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'replay.cancel',
    objectType: 'replayRun',
    objectId: id,
  });
  return Response.json(run);
});
