export { runCallBatch } from './batch';
export { deadLetterSelectionSchema } from './bulk-input';
export {
  BulkReplayRunner,
  cancelReplayRun,
  findReplayRun,
  pruneReplayRuns,
  replayRunConfig,
  startBulkReplay,
} from './bulk-replay';
export { ClaimLoop, type ClaimLoopConfig } from './claim-loop';
export { callRequestMaxBytes, DEFAULT_BACKOFF_MS, jobConfig } from './config';
export { resolveTarget, UnknownIntegrationError } from './input';
export {
  deadLetterIds,
  discardDeadLetters,
  enqueueJob,
  findJob,
  type JobRecord,
  type JobView,
  jobRecord,
  listDeadLetters,
  listJobs,
  replayDeadLetters,
} from './queue';
export { describePlan, executeReplay, planReplay, ReplayRefusedError, replayCall } from './replay';
export { type ReplayDraft, replayCredential, replayDraft } from './replay-draft';
export { pruneFinishedJobs, pruneQueueSamples } from './retention';
export { QueueSampler, samplerOptionsFromEnv } from './sampler';
export {
  batchInputSchema,
  bulkReplayInputSchema,
  callFilterSchema,
  type JobInput,
  jobInputSchema,
  type ReplayInput,
  replayInputSchema,
} from './schema';
export { assertSafePath, relativeToBase, sendStored, splitPath } from './send';
export { type JobTransition, onJobTransition, TRANSITION_SELECT } from './transitions';
export { JobWorker, startJobWorker } from './worker';
