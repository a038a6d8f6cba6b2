import type { Db } from '@/lib/db';
import { DomainError, type Role } from '@/lib/model';
import { forgetMemberships, membershipsOf, type WorkspaceRef } from './access';
import { createInvite } from './members';

/** The caller's workspaces with their role in each (none for a user removed from every one). */
export async function listOwnWorkspaces(db: Db, userId: string): Promise<(WorkspaceRef & { role: Role })[]> {
  return (await membershipsOf(db, userId)).map((m) => ({ ...m.workspace, role: m.role }));
}

/**
 * The owner creates a workspace and its first admin: an existing user (by username), or, with
 * `admin: { invite: true }`, a one-time admin invitation whose secret is returned once.
 */
export async function createWorkspaceWithAdmin(
  db: Db,
  input: { slug: string; name: string; admin: string | { invite: true }; ownerId: string },
): Promise<{ workspace: WorkspaceRef; admin: { userId: string; username: string } | null; inviteSecret?: string }> {
  if (await db.workspace.findUnique({ where: { slug: input.slug }, select: { id: true } })) {
    throw new DomainError(`a workspace "${input.slug}" already exists`, 409, 'workspace_exists', 'slug');
  }
  let adminUser: { id: string; username: string } | null = null;
  if (typeof input.admin === 'string') {
    adminUser = await db.user.findUnique({ where: { username: input.admin }, select: { id: true, username: true } });
    if (!adminUser) {
      throw new DomainError(
        `no user "${input.admin}": name an existing user, or send {"invite": true}`,
        400,
        'unknown_user',
        'admin',
      );
    }
  }
  const workspace = await db.workspace.create({
    // A new workspace may use no exposed secret until its admin (or the operator) allows some.
    data: {
      slug: input.slug,
      name: input.name,
      allowedSecrets: '[]',
      ...(adminUser ? { members: { create: { userId: adminUser.id, role: 'admin' } } } : {}),
    },
    select: { id: true, slug: true, name: true },
  });
  if (adminUser) {
    forgetMemberships(adminUser.id);
    return { workspace, admin: { userId: adminUser.id, username: adminUser.username } };
  }
  const { secret } = await createInvite(db, {
    workspaceId: workspace.id,
    role: 'admin',
    inviterId: input.ownerId,
    inviterRole: 'admin',
  });
  return { workspace, admin: null, inviteSecret: secret };
}
