import { z } from 'zod';
import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { createInvite, INVITE_TTL_DAYS, ownOrigin } from '@/lib/auth';
import { ROLES } from '@/lib/model';

const inviteSchema = z.object({
  role: z.enum(ROLES),
  expiresInDays: z.number().int().min(1).max(30).default(INVITE_TTL_DAYS),
});

/** A one-time invitation link, shown in this response only (its SHA-256 is stored). */
export const POST = authed({ role: 'admin' }, async (request, _context, { db, user, workspace, role, actor }) => {
  const body = await parseJsonBody(request, inviteSchema);
  if (!body.ok) return body.response;
  const { secret, invite } = await createInvite(db, {
    workspaceId: workspace.id,
    role: body.data.role,
    inviterId: user.id,
    inviterRole: role,
    ttlDays: body.data.expiresInDays,
  });
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'member.invite',
    objectType: 'invite',
    objectId: invite.id,
    after: { role: invite.role, expiresAt: invite.expiresAt },
  });
  const path = `/invite/${secret}`;
  return Response.json({ ...invite, path, url: `${ownOrigin(request)}${path}` }, { status: 201 });
});
