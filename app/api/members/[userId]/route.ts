import { z } from 'zod';
import { authed, notFound, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { changeMemberRole, removeMember } from '@/lib/auth';
import { ROLES } from '@/lib/model';

type Ctx = { params: Promise<{ userId: string }> };

const roleSchema = z.object({ role: z.enum(ROLES) });

/** Changes a member's role (never above the admin's own; the last admin stays admin). */
export const PATCH = authed<Ctx>({ role: 'admin' }, async (request, { params }, { db, workspace, role, actor }) => {
  const { userId } = await params;
  const body = await parseJsonBody(request, roleSchema);
  if (!body.ok) return body.response;
  const changed = await changeMemberRole(db, {
    workspaceId: workspace.id,
    userId,
    role: body.data.role,
    changerRole: role,
  });
  if (!changed) return notFound('member');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'member.role',
    objectType: 'member',
    objectId: userId,
    before: { role: changed.before },
    after: { role: body.data.role },
  });
  return Response.json({ userId, role: body.data.role });
});

/** Removes a member: their sessions end at once, their tokens in this workspace are revoked. */
export const DELETE = authed<Ctx>({ role: 'admin' }, async (_request, { params }, { db, workspace, actor }) => {
  const { userId } = await params;
  const removed = await removeMember(db, workspace.id, userId);
  if (!removed) return notFound('member');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'member.remove',
    objectType: 'member',
    objectId: userId,
    before: { username: removed.username, role: removed.role },
  });
  return new Response(null, { status: 204 });
});
