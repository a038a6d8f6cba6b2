import type { Db } from './client';

/** A lease held: `token` is the fencing token, larger for every new holder. */
export interface HeldLease {
  name: string;
  holder: string;
  token: number;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

/**
 * Takes or renews the named lease for `holder` until `now + ttlMs`; null when another holder's lease has not
 * expired. Every write is guarded by the token read, so of two instances racing for an expired lease exactly
 * one wins (the other's update matches no row), on SQLite and PostgreSQL alike.
 */
export async function acquireLease(
  db: Db,
  name: string,
  holder: string,
  ttlMs: number,
  now: Date = new Date(),
): Promise<HeldLease | null> {
  const expiresAt = new Date(now.getTime() + ttlMs);
  const row = await db.lease.findUnique({ where: { name } });
  if (!row) {
    try {
      await db.lease.create({ data: { name, holder, token: 1, expiresAt } });
      return { name, holder, token: 1 };
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }
  const mine = row.holder === holder;
  if (!mine && row.expiresAt > now) return null;
  // A new holder fences off the previous one with a new token. The same holder keeps its token even after its
  // lease lapsed: any other holder since would have written its own name, so nothing ran in between.
  const token = mine ? row.token : row.token + 1;
  const { count } = await db.lease.updateMany({
    where: { name, token: row.token, holder: row.holder },
    data: { holder, token, expiresAt },
  });
  return count === 1 ? { name, holder, token } : null;
}

/**
 * True while `lease` is still this holder's (the same token: no other instance took it, even if it lapsed),
 * extending it by `ttlMs`: the fence a holder passes just before each write it must not make twice.
 */
export async function confirmLease(db: Db, lease: HeldLease, ttlMs: number, now: Date = new Date()): Promise<boolean> {
  const { count } = await db.lease.updateMany({
    where: { name: lease.name, holder: lease.holder, token: lease.token },
    data: { expiresAt: new Date(now.getTime() + ttlMs) },
  });
  return count === 1;
}

/** Gives the lease up (at shutdown), so another instance takes it at once instead of after expiry. */
export async function releaseLease(db: Db, lease: HeldLease): Promise<void> {
  await db.lease.updateMany({
    where: { name: lease.name, holder: lease.holder, token: lease.token },
    data: { expiresAt: new Date(0) },
  });
}
