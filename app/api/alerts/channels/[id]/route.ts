import { deleteChannel, findChannel } from '@/lib/alerts';
import { authed, notFound } from '@/lib/api';
import { recordAudit } from '@/lib/audit';

type Context = { params: Promise<{ id: string }> };

/** Editors and up; another workspace's channel is a 404. */
export const DELETE = authed<Context>({ role: 'editor' }, async (_request, { params }, { db, workspace, actor }) => {
  const { id } = await params;
  const before = await findChannel(db, workspace.id, id);
  if (!before || !(await deleteChannel(db, workspace.id, id))) return notFound('alert channel');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'channel.delete',
    objectType: 'alertChannel',
    objectId: id,
    before,
  });
  return new Response(null, { status: 204 });
});
