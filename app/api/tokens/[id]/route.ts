import { authed, notFound } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { revokeApiToken } from '@/lib/auth';

/** Revokes a token of this workspace: refused at once by this instance, by others within one config poll. */
export const DELETE = authed<{ params: Promise<{ id: string }> }>(
  { role: 'admin' },
  async (_request, { params }, { db, workspace, actor }) => {
    const { id } = await params;
    const revoked = await revokeApiToken(db, workspace.id, id);
    if (!revoked) return notFound('token');
    if (!revoked.before.revokedAt)
      await recordAudit(db, actor, {
        workspaceId: workspace.id,
        action: 'token.revoke',
        objectType: 'token',
        objectId: id,
        before: revoked.before,
        after: revoked.after,
      });
    return new Response(null, { status: 204 });
  },
);
