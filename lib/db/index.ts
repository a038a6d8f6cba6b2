export type { Db, Provider } from './client';
export { createDb, DEFAULT_DATABASE_URL, databaseUrl, getDb, providerOf, sqlitePath } from './client';
