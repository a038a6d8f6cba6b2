import type { Db } from '@/lib/db';
import { DomainError, isRole, type Role, roleAtLeast } from '@/lib/model';
import { forgetMemberships } from './access';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords';
import { randomSecret, sha256 } from './secrets';
import { createSession, deleteSessionsOf, type SessionOrigin } from './sessions';
import { revokeTokensOf } from './tokens';

/** How long an invitation link stays valid unless the admin chooses otherwise. */
export const INVITE_TTL_DAYS = 7;
const DAY_MS = 24 * 3600_000;
const INVITE_PREFIX = 'bwi_';

export interface MemberView {
  userId: string;
  username: string;
  role: Role;
  since: string;
}

export interface InviteView {
  id: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
}

/** The members of a workspace, by name. */
export async function listMembers(db: Db, workspaceId: string): Promise<MemberView[]> {
  const rows = await db.membership.findMany({
    where: { workspaceId },
    select: { role: true, createdAt: true, user: { select: { id: true, username: true } } },
    orderBy: { user: { username: 'asc' } },
  });
  return rows
    .filter((row) => isRole(row.role))
    .map((row) => ({
      userId: row.user.id,
      username: row.user.username,
      role: row.role as Role,
      since: row.createdAt.toISOString(),
    }));
}

/** Invitations of a workspace not yet used nor expired. */
export async function listPendingInvites(db: Db, workspaceId: string): Promise<InviteView[]> {
  const rows = await db.invite.findMany({
    where: { workspaceId, usedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: 'desc' },
  });
  return rows.map((row) => ({
    id: row.id,
    role: row.role as Role,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  }));
}

/**
 * A one-time invitation to `workspaceId` with `role`, never above the inviter's own role. The secret is in
 * the returned value only; the store keeps its SHA-256.
 */
export async function createInvite(
  db: Db,
  input: { workspaceId: string; role: Role; inviterId: string; inviterRole: Role; ttlDays?: number },
): Promise<{ secret: string; invite: InviteView }> {
  if (!roleAtLeast(input.inviterRole, input.role)) {
    throw new DomainError(
      `you cannot invite with a role above your own (${input.inviterRole})`,
      403,
      'role_cap',
      'role',
    );
  }
  const secret = randomSecret(INVITE_PREFIX);
  const row = await db.invite.create({
    data: {
      workspaceId: input.workspaceId,
      role: input.role,
      secretHash: sha256(secret),
      invitedById: input.inviterId,
      expiresAt: new Date(Date.now() + (input.ttlDays ?? INVITE_TTL_DAYS) * DAY_MS),
    },
  });
  return {
    secret,
    invite: {
      id: row.id,
      role: row.role as Role,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
    },
  };
}

/** Withdraws a pending invitation; false when the workspace has no such pending invitation. */
export async function revokeInvite(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const { count } = await db.invite.deleteMany({ where: { id, workspaceId, usedAt: null } });
  return count > 0;
}

class InviteGoneError extends DomainError {
  constructor(message: string) {
    super(message, 410, 'invite_gone');
  }
}

/** What an invitation link offers, or a 404 (unknown) / 410 (used or expired) DomainError. */
export async function inviteBySecret(
  db: Db,
  secret: string,
): Promise<{ id: string; role: Role; workspace: { id: string; slug: string; name: string } }> {
  const row = await db.invite.findUnique({
    where: { secretHash: sha256(secret) },
    include: { workspace: { select: { id: true, slug: true, name: true } } },
  });
  if (!row) throw new DomainError('invitation not found: check the link', 404, 'invite_not_found');
  if (row.usedAt) throw new InviteGoneError('this invitation has already been used: ask an admin for a new link');
  if (row.expiresAt.getTime() <= Date.now()) {
    throw new InviteGoneError('this invitation has expired: ask an admin for a new link');
  }
  return { id: row.id, role: row.role as Role, workspace: row.workspace };
}

/** Marks the invitation used, once: a second use (even a concurrent one) gets the 410. */
async function consumeInvite(tx: Pick<Db, 'invite'>, id: string, userId: string): Promise<void> {
  const { count } = await tx.invite.updateMany({
    where: { id, usedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date(), usedById: userId },
  });
  if (count !== 1) throw new InviteGoneError('this invitation has already been used: ask an admin for a new link');
}

export type AcceptResult = {
  userId: string;
  username: string;
  role: Role;
  workspace: { id: string; slug: string; name: string };
  /** a new session for a new user (signed in at once) */
  session?: { token: string; expiresAt: Date };
};

/**
 * Accepts an invitation: as the signed-in `userId` (the membership is added; an existing one keeps the
 * higher of the two roles), or by creating a user with `account` and signing them in. The invitation is
 * consumed in the same transaction.
 */
export async function acceptInvite(
  db: Db,
  secret: string,
  who: { userId: string } | { account: { username: string; password: string }; origin?: SessionOrigin },
): Promise<AcceptResult> {
  const invite = await inviteBySecret(db, secret);
  if ('userId' in who) {
    const user = await db.user.findUnique({ where: { id: who.userId }, select: { id: true, username: true } });
    if (!user) throw new DomainError('user not found', 404, 'user_not_found');
    const role = await db.$transaction(async (tx) => {
      await consumeInvite(tx, invite.id, user.id);
      const existing = await tx.membership.findUnique({
        where: { workspaceId_userId: { workspaceId: invite.workspace.id, userId: user.id } },
      });
      if (existing && isRole(existing.role) && roleAtLeast(existing.role, invite.role)) return existing.role;
      await tx.membership.upsert({
        where: { workspaceId_userId: { workspaceId: invite.workspace.id, userId: user.id } },
        create: { workspaceId: invite.workspace.id, userId: user.id, role: invite.role },
        update: { role: invite.role },
      });
      return invite.role;
    });
    forgetMemberships(user.id);
    return { userId: user.id, username: user.username, role, workspace: invite.workspace };
  }
  const { username, password } = who.account;
  checkNewPassword(password);
  if (await db.user.findUnique({ where: { username }, select: { id: true } })) {
    throw new DomainError('this username is taken: choose another', 409, 'username_taken', 'username');
  }
  const passwordHash = await hashPassword(password);
  const user = await db.$transaction(async (tx) => {
    const created = await tx.user.create({ data: { username, passwordHash }, select: { id: true, username: true } });
    await consumeInvite(tx, invite.id, created.id);
    await tx.membership.create({ data: { workspaceId: invite.workspace.id, userId: created.id, role: invite.role } });
    return created;
  });
  const session = await createSession(db, user.id, who.origin);
  return { userId: user.id, username: user.username, role: invite.role, workspace: invite.workspace, session };
}

async function adminsLeft(db: Db, workspaceId: string, without: string): Promise<number> {
  return db.membership.count({ where: { workspaceId, role: 'admin', userId: { not: without } } });
}

/**
 * Changes a member's role, never above the changer's own, and never leaving the workspace without an
 * admin. Returns the role before, or null when the user is not a member of the workspace.
 */
export async function changeMemberRole(
  db: Db,
  input: { workspaceId: string; userId: string; role: Role; changerRole: Role },
): Promise<{ before: Role } | null> {
  const member = await db.membership.findUnique({
    where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } },
  });
  if (!member) return null;
  if (!roleAtLeast(input.changerRole, input.role)) {
    throw new DomainError(`you cannot give a role above your own (${input.changerRole})`, 403, 'role_cap', 'role');
  }
  if (
    member.role === 'admin' &&
    input.role !== 'admin' &&
    (await adminsLeft(db, input.workspaceId, input.userId)) === 0
  ) {
    throw new DomainError(
      'a workspace keeps at least one admin: make another member admin first',
      409,
      'last_admin',
      'role',
    );
  }
  await db.membership.update({
    where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } },
    data: { role: input.role },
  });
  forgetMemberships(input.userId);
  return { before: member.role as Role };
}

/**
 * Removes a member: their membership, their tokens in this workspace, and every session they have (so their
 * next request must sign in again; they keep their other workspaces). Returns the removed role, or null.
 */
export async function removeMember(
  db: Db,
  workspaceId: string,
  userId: string,
): Promise<{ role: Role; username: string } | null> {
  const member = await db.membership.findUnique({
    where: { workspaceId_userId: { workspaceId, userId } },
    include: { user: { select: { username: true } } },
  });
  if (!member) return null;
  if (member.role === 'admin' && (await adminsLeft(db, workspaceId, userId)) === 0) {
    throw new DomainError('a workspace keeps at least one admin: make another member admin first', 409, 'last_admin');
  }
  await db.membership.delete({ where: { workspaceId_userId: { workspaceId, userId } } });
  forgetMemberships(userId);
  await revokeTokensOf(db, userId, workspaceId);
  await deleteSessionsOf(db, userId);
  return { role: member.role as Role, username: member.user.username };
}

function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new DomainError(
      `the password must be at least ${MIN_PASSWORD_LENGTH} characters`,
      400,
      'weak_password',
      'password',
    );
  }
}

/**
 * Changes the user's password after checking the current one; every other session of theirs ends (the one
 * this request came with, `keepToken`, stays).
 */
export async function changePassword(
  db: Db,
  input: { userId: string; current: string; next: string; keepToken?: string },
): Promise<{ sessionsEnded: number }> {
  const user = await db.user.findUnique({ where: { id: input.userId }, select: { passwordHash: true } });
  if (!user || !(await verifyPassword(user.passwordHash, input.current))) {
    throw new DomainError('the current password is wrong', 400, 'wrong_password', 'current');
  }
  try {
    checkNewPassword(input.next);
  } catch {
    throw new DomainError(
      `the new password must be at least ${MIN_PASSWORD_LENGTH} characters`,
      400,
      'weak_password',
      'next',
    );
  }
  await db.user.update({ where: { id: input.userId }, data: { passwordHash: await hashPassword(input.next) } });
  return { sessionsEnded: await deleteSessionsOf(db, input.userId, input.keepToken) };
}
