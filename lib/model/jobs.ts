/** The states of a background job, in the order lists show them. */
export const JOB_STATES = ['queued', 'running', 'done', 'dead', 'discarded'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves by itself (a dead job only moves when an operator retries or discards it). */
export const FINISHED_JOB_STATES: ReadonlySet<string> = new Set<JobState>(['done', 'dead', 'discarded']);
