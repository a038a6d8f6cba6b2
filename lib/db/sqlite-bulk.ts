import Database from 'better-sqlite3';
import { processSingleton } from '@/lib/server/singleton';
import { afterOpenTransactions } from './sqlite-transactions';

/** A column value as a Prisma model holds it; stored the way Prisma's SQLite adapter stores it. */
export type SqliteColumnValue = string | number | bigint | boolean | Date | Uint8Array | null;
export type SqliteRow = Record<string, SqliteColumnValue>;

/**
 * A value as `@prisma/adapter-better-sqlite3` writes it (its default `iso8601` timestamp format): DateTime as
 * ISO 8601 text with `+00:00` for `Z`, Bytes as a blob, Boolean as 0/1. Json columns are String columns
 * holding JSON text here, so they need nothing.
 */
export function sqliteValue(value: SqliteColumnValue): string | number | bigint | Buffer | null {
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00');
  if (value instanceof Uint8Array)
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** What a bulk transaction can do: insert rows, and read or change with plain SQL, all synchronously. */
export interface SqliteBulkTransaction {
  /** Inserts rows into `table`; every row has the same columns (those of the first). */
  insert(table: string, rows: readonly SqliteRow[]): void;
  all<T>(sql: string, ...params: SqliteColumnValue[]): T[];
  run(sql: string, ...params: SqliteColumnValue[]): number;
}

const JOURNAL_SIZE_LIMIT = 8 * 1024 * 1024;

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Writes many rows into a SQLite database in one transaction with better-sqlite3 prepared statements, on a
 * connection of its own to the file of a Prisma client: Prisma's createMany costs about 43 times as much per
 * row. The connection keeps a rollback journal and SQLite's default synchronous=FULL, as Prisma's does, so a
 * transaction that returned is on disk.
 */
export class SqliteBulkWriter {
  private readonly connection: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly transaction: Database.Transaction;

  constructor(private readonly file: string) {
    this.connection = new Database(file);
    // PERSIST commits by zeroing the journal's header and syncing it (synchronous stays FULL, the default)
    // instead of creating, syncing the directory for and deleting a journal file each commit: about half
    // the commit time here, and as durable. It is this connection's own setting (the other connections
    // keep DELETE; each reads a zeroed journal as no journal). The limit bounds the file kept on disk.
    this.connection.pragma('journal_mode = PERSIST');
    this.connection.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    this.transaction = this.connection.transaction((work: (tx: SqliteBulkTransaction) => unknown) =>
      work(this.operations),
    );
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.connection.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private readonly operations: SqliteBulkTransaction = {
    insert: (table, rows) => {
      if (rows.length === 0) return;
      const columns = Object.keys(rows[0]);
      const insert = this.statement(
        `INSERT INTO ${quoted(table)} (${columns.map(quoted).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      );
      for (const row of rows) insert.run(columns.map((column) => sqliteValue(row[column] ?? null)));
    },
    all: <T>(sql: string, ...params: SqliteColumnValue[]) => this.statement(sql).all(params.map(sqliteValue)) as T[],
    run: (sql, ...params) => this.statement(sql).run(params.map(sqliteValue)).changes,
  };

  /**
   * Runs `work` in one IMMEDIATE transaction, committed when it returns and rolled back if it throws. It
   * starts once no Prisma transaction of this process is open on the file (the gate of
   * sqlite-transactions.ts): better-sqlite3 would otherwise wait synchronously for a lock that transaction
   * holds, which cannot be released while the event loop waits.
   */
  async write<T>(work: (tx: SqliteBulkTransaction) => T): Promise<T> {
    await afterOpenTransactions(this.file);
    return this.transaction.immediate(work) as T;
  }

  close(): void {
    if (this.connection.open) this.connection.close();
  }
}

/** The SQLite file of each client createDb made for one (process-wide: Next loads its own copy of lib/db). */
const sqliteFiles = () => processSingleton('sqlite-files', () => new WeakMap<object, string>());
const bulkWriters = () => processSingleton('sqlite-bulk-writers', () => new WeakMap<object, SqliteBulkWriter>());

export function rememberSqliteFile(db: object, file: string): void {
  sqliteFiles().set(db, file);
}

/** The SQLite file of a client createDb made; undefined on PostgreSQL. */
export function sqliteFileOf(db: object): string | undefined {
  return sqliteFiles().get(db);
}

/** The bulk writer of a client's SQLite database, opened on first use; null on PostgreSQL. */
export function sqliteBulkWriterFor(db: object): SqliteBulkWriter | null {
  const file = sqliteFiles().get(db);
  if (!file) return null;
  let writer = bulkWriters().get(db);
  if (!writer) {
    writer = new SqliteBulkWriter(file);
    bulkWriters().set(db, writer);
  }
  return writer;
}

/** Closes a client's bulk writer connection, if it opened one (on $disconnect). */
export function closeSqliteBulkWriter(db: object): void {
  const writer = bulkWriters().get(db);
  bulkWriters().delete(db);
  writer?.close();
}
