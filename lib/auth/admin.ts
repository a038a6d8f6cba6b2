import type { Db } from '@/lib/db';
import { DEFAULT_WORKSPACE_ID } from '@/lib/model';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords';
import { randomSecret } from './secrets';

export const ADMIN_USERNAME = 'admin';

/**
 * First run: create the admin (the instance owner, an admin of the `default` workspace) from BREAKWATER_ADMIN_PASSWORD, or with a generated password that is
 * printed once to the console (never to the structured log, never stored in clear).
 */
export async function ensureAdmin(db: Db, env: NodeJS.ProcessEnv = process.env): Promise<'exists' | 'created'> {
  if ((await db.user.count()) > 0) return 'exists';
  const given = env.BREAKWATER_ADMIN_PASSWORD;
  if (given !== undefined && given.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`BREAKWATER_ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const password = given ?? randomSecret().slice(0, 24);
  try {
    await db.user.create({
      data: {
        username: ADMIN_USERNAME,
        passwordHash: await hashPassword(password),
        isOwner: true,
        memberships: { create: { workspaceId: DEFAULT_WORKSPACE_ID, role: 'admin' } },
      },
    });
  } catch (error) {
    // Another instance created it first.
    if ((await db.user.count()) > 0) return 'exists';
    throw error;
  }
  if (given === undefined) {
    console.log(
      `\n  Breakwater admin account created.\n  username: ${ADMIN_USERNAME}\n  password: ${password}\n  (shown once; set BREAKWATER_ADMIN_PASSWORD to choose it)\n`,
    );
  }
  return 'created';
}
