import Database from 'better-sqlite3';
import { processSingleton } from '@/lib/server/singleton';
// The client's type, from the generated client: client.ts imports this file (it closes the reader).
import type { PrismaClient as Db } from './generated/sqlite/client';
import { sqliteFileOf } from './sqlite-bulk';

const ROW_ID = 1;

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

type BumpListener = (version: number) => void;

const bumpListeners = () => processSingleton('config-bump-listeners', () => new Set<BumpListener>());

/**
 * Calls `listener` with the new version after every bump this process makes: lib/server publishes it to
 * the other instances (Redis), so they reload at once instead of at their next poll.
 */
export function onConfigBumped(listener: BumpListener): () => void {
  bumpListeners().add(listener);
  return () => bumpListeners().delete(listener);
}

function announce(version: number): number {
  for (const listener of bumpListeners()) listener(version);
  return version;
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
    return announce((await bump()).version);
  } catch (error) {
    // Two first bumps raced to create the row: the loser's retry increments it.
    if (!isUniqueViolation(error)) throw error;
    return announce((await bump()).version);
  }
}

/**
 * On SQLite, the version is read with one prepared better-sqlite3 statement on a connection of its own: a few
 * microseconds, where the same read through Prisma costs ~3 ms of synchronous work on the event loop, which
 * the poller pays every 500 ms under load. The connection never waits for a lock (busy timeout 0): while
 * another connection commits, the read falls back to Prisma, which waits as every other query does.
 */
interface VersionReader {
  connection: Database.Database;
  select: Database.Statement<[number], { version: number }>;
}

const readers = () => processSingleton('config-version-readers', () => new WeakMap<object, VersionReader>());

function versionReaderFor(db: Db): VersionReader | null {
  const file = sqliteFileOf(db);
  if (!file) return null;
  let reader = readers().get(db);
  if (!reader) {
    const connection = new Database(file, { timeout: 0, fileMustExist: true });
    reader = {
      connection,
      select: connection.prepare<[number], { version: number }>('SELECT "version" FROM "ConfigVersion" WHERE "id" = ?'),
    };
    readers().set(db, reader);
  }
  return reader;
}

/** Closes a client's version reader connection, if it opened one (on $disconnect). */
export function closeConfigVersionReader(db: object): void {
  const reader = readers().get(db);
  readers().delete(db);
  if (reader?.connection.open) reader.connection.close();
}

/** The current config version; 0 before the first change. */
export async function readConfigVersion(db: Db): Promise<number> {
  let reader: VersionReader | null = null;
  try {
    reader = versionReaderFor(db);
  } catch {
    // the file cannot be opened on a connection of its own (not yet created): Prisma reads it below
  }
  if (reader) {
    try {
      return reader.select.get(ROW_ID)?.version ?? 0;
    } catch {
      // SQLITE_BUSY (another connection is committing) or the like: Prisma's read waits for the lock.
    }
  }
  const row = await db.configVersion.findUnique({ where: { id: ROW_ID }, select: { version: true } });
  return row?.version ?? 0;
}
