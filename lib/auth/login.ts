import type { Db } from '@/lib/db';
import { hashPassword, verifyPassword } from './passwords';
import { createSession } from './sessions';

const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 15 * 60 * 1000;
const failures = new Map<string, { count: number; since: number }>();
// Verified when the user does not exist, so an unknown name takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

export type LoginResult =
  | { ok: true; token: string; expiresAt: Date }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/** Checks a password and opens a session; repeated failures for one name lock it for a while. */
export async function logIn(db: Db, username: string, password: string, now = Date.now()): Promise<LoginResult> {
  const record = failures.get(username);
  if (record && now - record.since < FAILURE_WINDOW_MS && record.count >= MAX_FAILURES) {
    return {
      ok: false,
      reason: 'locked',
      retryAfterSeconds: Math.ceil((record.since + FAILURE_WINDOW_MS - now) / 1000),
    };
  }
  const user = await db.user.findUnique({ where: { username }, select: { id: true, passwordHash: true } });
  dummyHash ??= hashPassword('breakwater-timing-equaliser');
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyHash), password);
  if (!user || !valid) {
    const fresh = !record || now - record.since >= FAILURE_WINDOW_MS;
    failures.set(username, fresh ? { count: 1, since: now } : { count: record.count + 1, since: record.since });
    return { ok: false, reason: 'invalid' };
  }
  failures.delete(username);
  return { ok: true, ...(await createSession(db, user.id)) };
}
