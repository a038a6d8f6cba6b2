import { z } from 'zod';
import { jsonError, parseJsonBody, signedIn } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { createWorkspaceWithAdmin, listOwnWorkspaces, ownOrigin } from '@/lib/auth';

/** The caller's workspaces and their role in each; empty for a user removed from every one. */
export const GET = signedIn({}, async (_request, _context, { caller, db }) =>
  Response.json({ workspaces: await listOwnWorkspaces(db, caller.user.id) }),
);

const createSchema = z.object({
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter or digit'),
  name: z.string().trim().min(1, 'is required').max(100),
  /** an existing user's name, or {"invite": true} for a one-time admin invitation link */
  admin: z.union([z.string().trim().min(1, 'is required').max(100), z.object({ invite: z.literal(true) })]),
});

/** The instance owner creates a workspace and its first admin. */
export const POST = signedIn({ sessionOnly: true }, async (request, _context, { caller, db, address }) => {
  if (!caller.user.isOwner) return jsonError(403, 'forbidden: only the instance owner creates workspaces');
  const body = await parseJsonBody(request, createSchema);
  if (!body.ok) return body.response;
  const created = await createWorkspaceWithAdmin(db, { ...body.data, ownerId: caller.user.id });
  await recordAudit(
    db,
    { type: 'user', id: caller.user.id, name: caller.user.username, address },
    {
      workspaceId: created.workspace.id,
      action: 'workspace.create',
      objectType: 'workspace',
      objectId: created.workspace.id,
      after: { ...created.workspace, admin: created.admin?.username ?? '(invited)' },
    },
  );
  const invite = created.inviteSecret
    ? { path: `/invite/${created.inviteSecret}`, url: `${ownOrigin(request)}/invite/${created.inviteSecret}` }
    : undefined;
  return Response.json({ workspace: created.workspace, admin: created.admin, invite }, { status: 201 });
});
