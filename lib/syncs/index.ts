export { type SyncRunnerConfig, syncRunnerConfig } from './config';
export { MalformedPageError, type Page, type PageItem, parsePage, valueAtPath } from './page';
export { pruneSyncHistory } from './retention';
export { SyncRunner, startSyncRunner, wakeSyncRunner } from './runner';
export {
  INTERVAL_SECONDS,
  SYNC_DEFAULTS,
  SYNC_MODES,
  SYNC_SINKS,
  type SyncConfig,
  type SyncInput,
  syncPatchSchema,
  syncSchema,
} from './schema';
export {
  createSync,
  deleteSync,
  findSync,
  type ItemsQuery,
  listItems,
  listRuns,
  listSyncs,
  requestRun,
  runView,
  SyncConflictError,
  SyncInputError,
  type SyncRow,
  type SyncRunView,
  type SyncStatus,
  type SyncView,
  syncView,
  updateSync,
} from './service';
export { pageMessageId } from './sink';
