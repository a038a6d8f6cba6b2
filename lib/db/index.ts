export type { Db, DbOptions, Provider } from './client';
export { createDb, databaseUrl, getDb, providerOf, sqlitePath } from './client';
export type { Prisma } from './generated/sqlite/client';
export { LatencyHistogram, RELATIVE_ACCURACY, type SerializedHistogram } from './histogram';
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
