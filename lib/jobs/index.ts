export { runCallBatch } from './batch';
export { deadLetterSelectionSchema } from './bulk-input';
export { cancelReplayRun, findReplayRun, startBulkReplay } from './bulk-replay';
export { DEFAULT_BACKOFF_MS, jobConfig } from './config';
export { resolveTarget } from './input';
export {
  deadLetterIds,
  discardDeadLetters,
  enqueueJob,
  findJob,
  JOB_STATES,
  type JobView,
  jobStats,
  listDeadLetters,
  listJobs,
  replayDeadLetters,
} from './queue';
export { describePlan, executeReplay, planReplay, ReplayRefusedError, replayCall } from './replay';
export {
  batchInputSchema,
  bulkReplayInputSchema,
  type JobInput,
  jobInputSchema,
  type ReplayInput,
  replayInputSchema,
} from './schema';
export { assertSafePath, relativeToBase, splitPath } from './send';
export { JobWorker, startJobWorker } from './worker';
