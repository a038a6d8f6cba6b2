import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { processSingleton } from '@/lib/server/singleton';
import { type SqliteColumnValue, type SqliteRow, sqliteFileOf, sqliteValue } from './sqlite-bulk';
import { enterTransactionGate } from './sqlite-transactions';

/** One statement of a writer transaction: plain inserts, or inserts that replace the row with the same key. */
export type SqliteWrite =
  | { insert: string; rows: readonly SqliteRow[] }
  /** INSERT ... ON CONFLICT (conflict) DO UPDATE SET every other column of the row */
  | { upsert: string; conflict: readonly string[]; rows: readonly SqliteRow[] }
  /** UPDATE ... SET every other column of the row WHERE the `key` columns equal the row's; no match, no change */
  | { update: string; key: readonly string[]; rows: readonly SqliteRow[] };

/** A write the database refused; `code` is Prisma's for the same fault (P2003 foreign key, P2002 unique). */
export class SqliteWriteError extends Error {
  constructor(
    message: string,
    readonly sqliteCode: string | undefined,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SqliteWriteError';
  }
}

const PRISMA_CODES: Record<string, string> = {
  SQLITE_CONSTRAINT_FOREIGNKEY: 'P2003',
  SQLITE_CONSTRAINT_UNIQUE: 'P2002',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'P2002',
};

/**
 * The thread's code, run with `eval: true`: no file to resolve, so it works the same under tsx and inside
 * Next's server bundles (whose chunks have no worker file next to them). Plain CommonJS JavaScript.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
// As the bulk writer: a rollback journal kept between commits (see sqlite-bulk.ts), synchronous=FULL.
db.pragma('journal_mode = PERSIST');
db.pragma('journal_size_limit = ' + workerData.journalSizeLimit);
db.pragma('foreign_keys = ON');
const statements = new Map();
const quoted = (name) => '"' + String(name).replaceAll('"', '""') + '"';
function statement(sql) {
  let s = statements.get(sql);
  if (!s) { s = db.prepare(sql); statements.set(sql, s); }
  return s;
}
const value = (v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);
function applyUpdate(write) {
  const columns = Object.keys(write.rows[0]);
  const set = columns.filter((c) => !write.key.includes(c));
  const update = statement('UPDATE ' + quoted(write.update) + ' SET ' + set.map((c) => quoted(c) + ' = ?').join(', ') + ' WHERE ' + write.key.map((c) => quoted(c) + ' = ?').join(' AND '));
  for (const row of write.rows) update.run([...set, ...write.key].map((c) => value(row[c] ?? null)));
}
function apply(write) {
  if (write.rows.length === 0) return;
  if (write.update) return applyUpdate(write);
  const columns = Object.keys(write.rows[0]);
  const table = write.insert ?? write.upsert;
  let sql = 'INSERT INTO ' + quoted(table) + ' (' + columns.map(quoted).join(', ') + ') VALUES (' + columns.map(() => '?').join(', ') + ')';
  if (write.upsert) {
    const updated = columns.filter((c) => !write.conflict.includes(c));
    sql += ' ON CONFLICT (' + write.conflict.map(quoted).join(', ') + ') DO UPDATE SET ' + updated.map((c) => quoted(c) + ' = excluded.' + quoted(c)).join(', ');
  }
  const insert = statement(sql);
  for (const row of write.rows) insert.run(columns.map((c) => value(row[c] ?? null)));
}
const transaction = db.transaction((writes) => { for (const w of writes) apply(w); });
parentPort.on('message', (message) => {
  if (message.crash) throw new Error('crash requested');
  try {
    transaction.immediate(message.writes);
    parentPort.postMessage({ id: message.id });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

/** better-sqlite3's entry file, resolved from the project (cwd) first: a Next bundle's own location says nothing. */
function driverPath(): string {
  for (const base of [join(process.cwd(), 'package.json'), import.meta.url]) {
    try {
      return createRequire(base).resolve('better-sqlite3');
    } catch {
      // try the next base
    }
  }
  return 'better-sqlite3';
}

interface Waiting {
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface SqliteWriterOptions {
  /** how long the thread waits for a lock held by another connection; it waits off the event loop */
  busyTimeoutMs?: number;
}

/**
 * Writes rows into a SQLite file from a worker thread with a connection of its own, so a commit (SQLite syncs
 * the file at each one, and better-sqlite3 is synchronous) never holds the event loop. Each `write` is one
 * IMMEDIATE transaction and resolves once it is committed (on disk: synchronous=FULL). If the thread dies,
 * the writes it held are rejected (nothing half-written: SQLite rolls back a transaction left open) and the
 * next write starts a new thread.
 */
export class SqliteWriterThread {
  private thread?: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private readonly inFlight = new Set<Promise<void>>();
  private nextId = 1;
  private closed = false;
  /** threads started after one died */
  restarts = 0;
  private started = 0;

  constructor(
    private readonly file: string,
    private readonly options: SqliteWriterOptions = {},
  ) {}

  /** Runs `writes` in one transaction in the thread; rejects with a SqliteWriteError if it was rolled back. */
  async write(writes: readonly SqliteWrite[]): Promise<void> {
    if (this.closed) throw new Error('the SQLite writer is closed');
    const message = {
      writes: writes.map((w) => ({ ...w, rows: w.rows.map(plainRow) })),
    };
    // The thread's transaction holds this process's gate of the file, as a Prisma transaction does: it never
    // waits for a lock of this process, and this process's queries wait for its commit asynchronously (on
    // the thread's lock they would wait in SQLite's busy handler, which sleeps on the event loop).
    const release = await enterTransactionGate(this.file);
    let thread: Worker;
    try {
      thread = this.threadNow();
    } catch (error) {
      release();
      throw error;
    }
    const id = this.nextId++;
    const written = new Promise<void>((resolve, reject) => {
      if (this.waiting.size === 0) thread.ref();
      this.waiting.set(id, { resolve, reject });
      thread.postMessage({ id, ...message });
    });
    this.inFlight.add(written);
    const settled = () => {
      release();
      this.inFlight.delete(written);
    };
    written.then(settled, settled);
    return written;
  }

  /** For tests: makes the thread throw, as a crash would. */
  crash(): void {
    this.threadNow().postMessage({ crash: true });
  }

  /** Waits for the writes under way, then stops the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }

  private threadNow(): Worker {
    if (this.thread) return this.thread;
    if (this.started++ > 0) this.restarts++;
    const thread = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        driver: driverPath(),
        file: this.file,
        busyTimeoutMs: this.options.busyTimeoutMs ?? 1000,
        journalSizeLimit: 8 * 1024 * 1024,
      },
    });
    // Idle, it does not keep the process alive; with writes under way it does (a SIGTERM flush waits for it).
    thread.unref();
    let failure: Error | undefined;
    thread.on('message', (reply: { id: number; error?: { message: string; code?: string } }) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) thread.unref();
      if (!reply.error) waiting.resolve();
      else {
        const code = reply.error.code;
        waiting.reject(new SqliteWriteError(reply.error.message, code, code ? PRISMA_CODES[code] : undefined));
      }
    });
    thread.on('error', (error) => {
      failure = error;
    });
    thread.on('exit', (exitCode) => {
      if (this.thread === thread) this.thread = undefined;
      const reason = failure?.message ?? `exit code ${exitCode}`;
      for (const [, waiting] of this.waiting)
        waiting.reject(new Error(`the SQLite writer thread stopped (${reason}); no commit was acknowledged`));
      this.waiting.clear();
    });
    this.thread = thread;
    return thread;
  }
}

/** A row with every value as SQLite stores it (what Prisma's adapter writes), ready to be posted. */
function plainRow(row: SqliteRow): Record<string, SqliteColumnValue> {
  const out: Record<string, SqliteColumnValue> = {};
  for (const column in row) out[column] = sqliteValue(row[column] ?? null);
  return out;
}

const writerThreads = () => processSingleton('sqlite-writer-threads', () => new WeakMap<object, SqliteWriterThread>());

/** The writer thread of a client's SQLite database, started on first write; null on PostgreSQL. */
export function sqliteWriterFor(db: object): SqliteWriterThread | null {
  const file = sqliteFileOf(db);
  if (!file) return null;
  let writer = writerThreads().get(db);
  if (!writer) {
    writer = new SqliteWriterThread(file);
    writerThreads().set(db, writer);
  }
  return writer;
}

/** Stops a client's writer thread, if it has one (on $disconnect). */
export async function closeSqliteWriter(db: object): Promise<void> {
  const writer = writerThreads().get(db);
  writerThreads().delete(db);
  await writer?.close();
}
