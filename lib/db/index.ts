export type { Db, DbOptions, Provider } from './client';
export { createDb, databaseUrl, getBackgroundDb, getDb, providerOf, sqlitePath } from './client';
export { bumpConfigVersion, onConfigBumped, readConfigVersion } from './config-version';
export { DenseHistogram } from './dense-histogram';
export type { Prisma } from './generated/sqlite/client';
export { type GuardedUpdate, guardedUpdatesIn, sqliteGuardedUpdates } from './guarded-updates';
export { LatencyHistogram, RELATIVE_ACCURACY, type SerializedHistogram } from './histogram';
export { acquireLease, confirmLease, type HeldLease, releaseLease } from './lease';
export {
  type AppliedMigration,
  appliedMigrations,
  applyMigrations,
  DEFAULT_SHADOW_PG_URL,
  diffDatabaseToSchema,
  diffMigrationsToSchema,
  migrationLock,
  migrationsDir,
} from './migrate';
export {
  addRollupCounters,
  emptyRollupCounters,
  HOUR_SECONDS,
  MINUTE_SECONDS,
  type RollupCounters,
  type RollupKey,
  type RollupRow,
} from './rollup';
export {
  type SqliteBulkTransaction,
  SqliteBulkWriter,
  type SqliteColumnValue,
  type SqliteRow,
  sqliteBulkWriterFor,
  sqliteValue,
} from './sqlite-bulk';
export {
  closeSqliteWriter,
  type SqliteWrite,
  SqliteWriteError,
  type SqliteWriterOptions,
  SqliteWriterThread,
  sqliteWriterFor,
} from './sqlite-writer';
