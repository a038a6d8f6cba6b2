import type { Db } from '@/lib/db';
import { isRole, type Role, roleAtLeast, type TokenScope } from '@/lib/model';
import { processSingleton } from '@/lib/server/singleton';
import type { Caller } from './request';
import { CREDENTIAL_CACHE_MS, type SessionUser } from './sessions';

/** Which workspace a request is about: the `ws` query parameter, else this header, else the cookie the switcher sets. */
export const WORKSPACE_PARAM = 'ws';
export const WORKSPACE_HEADER = 'x-breakwater-workspace';
export const WORKSPACE_COOKIE = 'bw_workspace';

export interface WorkspaceRef {
  id: string;
  slug: string;
  name: string;
}

export interface Membership {
  workspace: WorkspaceRef;
  role: Role;
}

/**
 * What a request may do, and where. `role` is the caller's effective role in `workspace`: a member's own
 * role, or for a token the role its scopes give (read → viewer, write → editor, admin → admin) capped by its
 * owner's current role, so removing or demoting a member takes their tokens' power with them. A token
 * with no management scope (gateway only) has `role` null: it may call the gateway and nothing here.
 */
export interface Access {
  user: SessionUser;
  workspace: WorkspaceRef;
  role: Role | null;
  via: 'session' | 'token';
  token?: { id: string; scopes: readonly TokenScope[]; integrations: readonly string[] | null };
}

// Memberships are read on every API request and page; remembered briefly like sessions, and forgotten at
// once in this process when they change (forgetMemberships).
const cache = processSingleton('memberships', () => new Map<string, { list: Membership[]; until: number }>());

export async function membershipsOf(db: Db, userId: string): Promise<Membership[]> {
  const now = Date.now();
  const hit = cache.get(userId);
  if (hit && hit.until > now) return hit.list;
  const rows = await db.membership.findMany({
    where: { userId },
    select: { role: true, workspace: { select: { id: true, slug: true, name: true } } },
    orderBy: { workspace: { createdAt: 'asc' } },
  });
  const list = rows
    .filter((row) => isRole(row.role))
    .map((row) => ({ workspace: row.workspace, role: row.role as Role }));
  if (cache.size >= 10_000) cache.clear();
  cache.set(userId, { list, until: now + CREDENTIAL_CACHE_MS });
  return list;
}

/** After a membership or workspace change: this process reads them again at once (others within 5 s). */
export function forgetMemberships(userId?: string): void {
  if (userId === undefined) cache.clear();
  else cache.delete(userId);
}

const SCOPE_ROLES: readonly [TokenScope, Role][] = [
  ['admin', 'admin'],
  ['write', 'editor'],
  ['read', 'viewer'],
];

/** The management role a token's scopes give, before its owner's cap; null for a gateway-only token. */
export function roleOfScopes(scopes: readonly TokenScope[]): Role | null {
  return SCOPE_ROLES.find(([scope]) => scopes.includes(scope))?.[1] ?? null;
}

/**
 * The access of an authenticated caller to the workspace it asks for (by slug; none: a token's own
 * workspace, a user's first). Null when that workspace does not exist or the caller is not in it: the
 * answer is the same 404 either way, so a stranger learns nothing about other workspaces.
 */
export async function accessFor(db: Db, caller: Caller, wanted: string | undefined): Promise<Access | null> {
  const memberships = await membershipsOf(db, caller.user.id);
  if (caller.via === 'token' && caller.token) {
    const { token } = caller;
    const membership = memberships.find((m) => m.workspace.id === token.workspaceId);
    if (!membership || (wanted && wanted !== membership.workspace.slug)) return null;
    const scoped = roleOfScopes(token.scopes);
    const role = scoped && (roleAtLeast(membership.role, scoped) ? scoped : membership.role);
    return {
      user: caller.user,
      workspace: membership.workspace,
      role,
      via: 'token',
      token: { id: token.tokenId, scopes: token.scopes, integrations: token.integrations },
    };
  }
  const membership = wanted ? memberships.find((m) => m.workspace.slug === wanted) : memberships[0];
  if (!membership) return null;
  return { user: caller.user, workspace: membership.workspace, role: membership.role, via: caller.via };
}

/** Why `access` may not do what needs `needed`, or null when it may. */
export function refusalOf(access: Access, needed: Role): string | null {
  if (access.role && roleAtLeast(access.role, needed)) return null;
  if (access.via === 'token') {
    const scope = needed === 'admin' ? 'admin' : needed === 'viewer' ? 'read' : 'write';
    return access.token && roleOfScopes(access.token.scopes) && access.role !== roleOfScopes(access.token.scopes)
      ? `forbidden: this needs the ${needed} role in workspace "${access.workspace.slug}", and the token's owner no longer has it`
      : `forbidden: this token lacks the "${scope}" scope this needs`;
  }
  return `forbidden: this needs the ${needed} role in workspace "${access.workspace.slug}" (you are ${access.role})`;
}
