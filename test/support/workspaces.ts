import { createHash, randomBytes } from 'node:crypto';
// The module, not lib/auth's index: that one pulls in Next's server-only modules, which Playwright cannot load.
import { hashPassword } from '@/lib/auth/passwords';
import { bumpConfigVersion, createDb, type Db } from '@/lib/db';
import type { Role, TokenScope } from '@/lib/model';

/** A member made for a test: a session cookie for the browser path and, when asked, a token for the API path. */
export interface TestMember {
  userId: string;
  username: string;
  password: string;
  role: Role;
  workspaceId: string;
  /** `Cookie` header value of a live session */
  cookie: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Opens the server's database directly, to arrange what a test needs (the server reads it as any writer's). */
export function openDb(databaseUrl: string): Db {
  return createDb(databaseUrl);
}

/** A workspace other than `default`, created directly in the database. */
export async function createWorkspace(db: Db, slug: string, name = slug): Promise<{ id: string; slug: string }> {
  return db.workspace.create({ data: { slug, name }, select: { id: true, slug: true } });
}

/** A user who is a member of `workspaceId` with `role`, signed in (a session row and its cookie). */
export async function createMember(db: Db, workspaceId: string, role: Role, username?: string): Promise<TestMember> {
  const name = username ?? `${role}-${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const user = await db.user.create({
    data: {
      username: name,
      passwordHash: await hashPassword(password),
      memberships: { create: { workspaceId, role } },
    },
  });
  const session = randomBytes(32).toString('base64url');
  await db.session.create({
    data: { id: sha256(session), userId: user.id, expiresAt: new Date(Date.now() + 24 * 3600_000) },
  });
  return { userId: user.id, username: name, password, role, workspaceId, cookie: `bw_session=${session}` };
}

/** A token of `userId`, usable by the gateway within one config poll, in `workspaceId` with these scopes (and, for gateway calls, these integrations only). */
export async function createToken(
  db: Db,
  userId: string,
  workspaceId: string,
  scopes: readonly TokenScope[],
  options: { integrations?: string[]; expiresAt?: Date } = {},
): Promise<string> {
  const token = `bw_${randomBytes(24).toString('base64url')}`;
  await db.apiToken.create({
    data: {
      name: `test ${scopes.join('+')}`,
      prefix: token.slice(0, 9),
      tokenHash: sha256(token),
      userId,
      workspaceId,
      scopes: JSON.stringify(scopes),
      integrations: options.integrations ? JSON.stringify(options.integrations) : null,
      expiresAt: options.expiresAt ?? null,
    },
  });
  // The gateway serves tokens from memory: a bump makes every server reload them within one poll.
  await bumpConfigVersion(db);
  return token;
}
