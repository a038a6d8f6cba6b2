import { deleteSilence, findSilence } from '@/lib/alerts';
import { authed, notFound } from '@/lib/api';
import { recordAudit } from '@/lib/audit';

type Context = { params: Promise<{ id: string }> };

/** Operators and up; another workspace's silence is a 404. */
export const DELETE = authed<Context>({ role: 'operator' }, async (_request, { params }, { db, workspace, actor }) => {
  const { id } = await params;
  const before = await findSilence(db, workspace.id, id);
  if (!before || !(await deleteSilence(db, workspace.id, id))) return notFound('silence');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'silence.delete',
    objectType: 'alertSilence',
    objectId: id,
    before,
  });
  return new Response(null, { status: 204 });
});
