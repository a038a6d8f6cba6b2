/**
 * Who may do what. A member's role in a workspace is one of ROLES, each including the ones before it
 * (Grafana's viewer/editor/admin, with Hookdeck's operator between: acts on live traffic, configures nothing).
 */
export const ROLES = ['viewer', 'operator', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a token may do, each a separate grant (not ordered): `gateway` calls integrations (optionally only
 * listed ones), `read` reads the management API, `write` changes it, `admin` manages members and tokens.
 */
export const TOKEN_SCOPES = ['gateway', 'read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** The id of the workspace the first run creates, which holds everything that existed before workspaces. */
export const DEFAULT_WORKSPACE_ID = 'default';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` includes `needed` (an admin may do what an editor may, and so on). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
