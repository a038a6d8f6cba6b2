import { authed, notFound } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { revokeInvite } from '@/lib/auth';

type Ctx = { params: Promise<{ id: string }> };

/** Withdraws a pending invitation: its link then answers 404. */
export const DELETE = authed<Ctx>({ role: 'admin' }, async (_request, { params }, { db, workspace, actor }) => {
  const { id } = await params;
  if (!(await revokeInvite(db, workspace.id, id))) return notFound('invitation');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'member.invite-revoke',
    objectType: 'invite',
    objectId: id,
  });
  return new Response(null, { status: 204 });
});
