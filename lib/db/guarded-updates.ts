import { type SqliteBulkTransaction, type SqliteColumnValue, sqliteBulkWriterFor } from './sqlite-bulk';

/** One optimistic update: `data` is written only if the row still matches every value of `where`. */
export interface GuardedUpdate {
  where: Record<string, SqliteColumnValue>;
  /** a column left undefined is not written, as with Prisma */
  data: Record<string, SqliteColumnValue | undefined>;
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * SQLite: many guarded updates of one table in one IMMEDIATE transaction of the bulk writer (one commit, one
 * sync, instead of one per row through Prisma's connection); says for each whether it changed a row. A
 * `where` value of null matches NULL. Null on PostgreSQL, where the caller batches them with Prisma's
 * `$transaction([...updateMany])`. Values are stored as Prisma's adapter stores them (sqliteValue).
 */
export async function sqliteGuardedUpdates(
  db: object,
  table: string,
  updates: readonly GuardedUpdate[],
): Promise<boolean[] | null> {
  const bulk = sqliteBulkWriterFor(db);
  if (!bulk) return null;
  if (updates.length === 0) return [];
  return bulk.write((tx) => guardedUpdatesIn(tx, table, updates));
}

/** The same updates inside a bulk transaction already open (with other writes that must commit with them). */
export function guardedUpdatesIn(
  tx: SqliteBulkTransaction,
  table: string,
  updates: readonly GuardedUpdate[],
): boolean[] {
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
    return tx.run(sql, ...params) === 1;
  });
}
