import type { SqliteColumnValue } from './sqlite-bulk';
import { type SqliteStatement, sqliteWriterFor } from './sqlite-writer';

/** One optimistic update: `data` is written only if the row still matches every value of `where`. */
export interface GuardedUpdate {
  where: Record<string, SqliteColumnValue>;
  /** a column left undefined is not written, as with Prisma */
  data: Record<string, SqliteColumnValue | undefined>;
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * SQLite: many guarded updates of one table in one IMMEDIATE transaction of the client's writer thread (one
 * commit, one sync, off the event loop, instead of one per row through Prisma's connection); says for each
 * whether it changed a row. A `where` value of null matches NULL. Null on PostgreSQL, where the caller
 * batches them with Prisma's `$transaction([...updateMany])`. Values are stored as Prisma's adapter stores
 * them (sqliteValue).
 */
export async function sqliteGuardedUpdates(
  db: object,
  table: string,
  updates: readonly GuardedUpdate[],
): Promise<boolean[] | null> {
  const writer = sqliteWriterFor(db);
  if (!writer) return null;
  if (updates.length === 0) return [];
  const results = await writer.run(guardedUpdateStatements(table, updates));
  return results.map(({ changes }) => changes[0] === 1);
}

/**
 * The same updates as writer-thread statements, one per update in the same order (statement i changed a row
 * iff update i applied), to run with other statements that must commit with them (see `onlyIfChanged`).
 */
export function guardedUpdateStatements(table: string, updates: readonly GuardedUpdate[]): SqliteStatement[] {
  return updates.map(({ where, data }) => {
    const set = Object.keys(data).filter((column) => data[column] !== undefined);
    const guards = Object.entries(where);
    const sql =
      `UPDATE ${quoted(table)} SET ${set.map((column) => `${quoted(column)} = ?`).join(', ')} WHERE ` +
      guards.map(([column, value]) => `${quoted(column)} ${value === null ? 'IS NULL' : '= ?'}`).join(' AND ');
    const params = [
      ...set.map((column) => data[column] as SqliteColumnValue),
      ...guards.flatMap(([, value]) => (value === null ? [] : [value])),
    ];
    return { sql, rows: [params] };
  });
}
