import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { setting } from '@/lib/server/env';
import { processSingleton } from '@/lib/server/singleton';
import { closeConfigVersionReader } from './config-version';
import { PrismaClient as PostgresClient } from './generated/postgresql/client';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { closeSqliteBulkWriter, rememberSqliteFile } from './sqlite-bulk';
import { withExclusiveTransactions } from './sqlite-transactions';
import { closeSqliteWriter } from './sqlite-writer';

/** Both generated clients expose the same model API; the SQLite one's type stands for both. */
export type Db = SqliteClient;
export type Provider = 'sqlite' | 'postgresql';

export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return setting('DATABASE_URL', env);
}

export function providerOf(url: string): Provider {
  if (url.startsWith('file:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgresql';
  throw new Error(
    `DATABASE_URL must start with file: (SQLite) or postgres:// (PostgreSQL), got "${url.split(':')[0]}:..."`,
  );
}

/** Absolute path of a `file:` URL's database, resolved against the working directory. */
export function sqlitePath(url: string): string {
  return resolve(url.slice('file:'.length).split('?')[0]);
}

export interface DbOptions {
  /**
   * SQLite only: how long a write waits for a lock. better-sqlite3 waits synchronously, blocking the
   * event loop, so a background writer that must never stall calls asks for a short wait (default 5 s).
   */
  sqliteBusyTimeoutMs?: number;
}

export function createDb(url: string = databaseUrl(), options: DbOptions = {}): Db {
  if (providerOf(url) === 'sqlite') {
    const file = sqlitePath(url);
    mkdirSync(dirname(file), { recursive: true });
    const db = new SqliteClient({
      adapter: withExclusiveTransactions(
        new PrismaBetterSqlite3({
          url: file,
          ...(options.sqliteBusyTimeoutMs === undefined ? {} : { timeout: options.sqliteBusyTimeoutMs }),
        }),
        file,
      ),
    });
    rememberSqliteFile(db, file);
    // The bulk writer's connection and the writer thread are this client's too: they close with it (after
    // the thread committed what it was given).
    const disconnect = db.$disconnect.bind(db);
    db.$disconnect = async () => {
      closeSqliteBulkWriter(db);
      closeConfigVersionReader(db);
      await closeSqliteWriter(db);
      await disconnect();
    };
    return db;
  }
  return new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db;
}

/** The process-wide client. It lives on globalThis: Next duplicates module singletons across bundles. */
export function getDb(): Db {
  const url = databaseUrl();
  const current = processSingleton('db', () => ({}) as { url?: string; db?: Db });
  if (current.url !== url || !current.db) Object.assign(current, { url, db: createDb(url) });
  return current.db!;
}

/** How long a background write waits for a SQLite lock before it fails (and is tried at its next turn). */
const BACKGROUND_BUSY_TIMEOUT_MS = 50;

/**
 * The client for small periodic writes that must never stall calls (the instance heartbeat, the evaluator
 * lease): on SQLite a connection of its own whose writes wait at most 50 ms for a lock, since better-sqlite3
 * waits synchronously on the event loop (the default client waits 5 s: a locked file would freeze the
 * gateway for 5 s per beat); on PostgreSQL the default client, whose waits are asynchronous.
 */
export function getBackgroundDb(): Db {
  const url = databaseUrl();
  if (providerOf(url) !== 'sqlite') return getDb();
  const current = processSingleton('background-db', () => ({}) as { url?: string; db?: Db });
  if (current.url !== url || !current.db)
    Object.assign(current, { url, db: createDb(url, { sqliteBusyTimeoutMs: BACKGROUND_BUSY_TIMEOUT_MS }) });
  return current.db!;
}
