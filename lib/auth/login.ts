import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '@/lib/db';
import { processSingleton } from '@/lib/server/singleton';
import { hashPassword, verifyPassword } from './passwords';
import { createSession } from './sessions';
import { LoginThrottle } from './throttle';

// One throttle per process, shared by every bundle that signs in (see throttle.ts for the rules).
const throttle = processSingleton('login-throttle', () => new LoginThrottle());
// Verified when the user does not exist, so an unknown name takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

export type LoginResult =
  | { ok: true; token: string; expiresAt: Date }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** Checks a password from a client address and opens a session, within the sign-in throttle's limits. */
export async function logIn(
  db: Db,
  username: string,
  password: string,
  address: string,
  userAgent?: string | null,
): Promise<LoginResult> {
  const user = await db.user.findUnique({ where: { username }, select: { id: true, passwordHash: true } });
  const decision = await throttle.admit(address, username, user !== null);
  if (!decision.go) return { ok: false, reason: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
  if (decision.delayMs > 0) await sleep(decision.delayMs);
  dummyHash ??= hashPassword('breakwater-timing-equaliser');
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyHash), password);
  if (!user || !valid) {
    await throttle.failed(address, username, user !== null);
    return { ok: false, reason: 'invalid' };
  }
  await throttle.succeeded(address, username);
  return { ok: true, ...(await createSession(db, user.id, { address, userAgent })) };
}
