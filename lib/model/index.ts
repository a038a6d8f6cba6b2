export {
  DEFAULT_WORKSPACE_ID,
  isRole,
  ROLES,
  type Role,
  roleAtLeast,
  TOKEN_SCOPES,
  type TokenScope,
} from './access';
export { type BreakerState, TRIPPED_BREAKER_STATES } from './breaker';
export { BODY_CAPTURE_MODES, type BodyCapture } from './capture';
export { CREDENTIALS, type Credential, ENVIRONMENTS, type Environment } from './environments';
export { DomainError, type FieldIssue, isDomainError } from './errors';
export { ERROR_RATE_THRESHOLDS, errorRateTone, type Health, healthOf } from './health';
export { FINISHED_JOB_STATES, JOB_STATES, type JobState } from './jobs';
export { type CallOutcome, ERROR_OUTCOMES, errorsIn, OUTCOMES, outcomeTone } from './outcomes';
export { applyPatch, type Patch, patchOf } from './patch';
export { instantSchema, rangeQuerySchema } from './time';
export {
  ATTEMPT_KINDS,
  type AttemptKind,
  FREE_USAGE_OUTCOMES,
  INTERNAL_CALLERS,
  USAGE_OUTCOMES,
  type UsageOutcome,
} from './usage';
export {
  DEFAULT_OVERVIEW_WINDOW,
  OVERVIEW_WINDOWS,
  type OverviewWindow,
  WINDOW_MS,
  type WindowName,
} from './windows';
