import type { Db } from './client';

const ROW_ID = 1;

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

/**
 * Marks a change to what the data plane serves from memory (integrations, tokens, webhook sources): one
 * atomic increment of the one-row ConfigVersion, creating it when absent. Call it after the change has
 * committed, so an instance that sees the new version reads the change. Returns the new version.
 */
export async function bumpConfigVersion(db: Db): Promise<number> {
  const bump = () =>
    db.configVersion.upsert({
      where: { id: ROW_ID },
      create: { id: ROW_ID, version: 1 },
      update: { version: { increment: 1 } },
      select: { version: true },
    });
  try {
    return (await bump()).version;
  } catch (error) {
    // Two first bumps raced to create the row: the loser's retry increments it.
    if (!isUniqueViolation(error)) throw error;
    return (await bump()).version;
  }
}

/** The current config version; 0 before the first change. */
export async function readConfigVersion(db: Db): Promise<number> {
  const row = await db.configVersion.findUnique({ where: { id: ROW_ID }, select: { version: true } });
  return row?.version ?? 0;
}
