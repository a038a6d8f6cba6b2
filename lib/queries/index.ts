export {
  alertMinuteTotals,
  alertWindowTotals,
  type BreakerChange,
  breakerChanges,
  minuteOf,
} from './alert-metrics';
export {
  type ChartAnnotation,
  chartAnnotations,
  type FiringAlertRow,
  firingAlertRows,
  MAX_ANNOTATIONS,
} from './alerts';
export {
  ATTEMPT_FAILURES,
  type AttemptFailure,
  type CallAttemptView,
  type CallDetail,
  type CallFilter,
  type CallPage,
  type CallRow,
  callDetail,
  findCallId,
  MAX_LIMIT,
  type PolicyDecision,
  REPLAYS_SHOWN,
  type ReplayRow,
  searchCalls,
} from './calls';
export { CREDENTIAL_WINDOW_MS, type CredentialUsage, credentialUsage } from './credentials';
export { BadCursorError, decodeCursor, encodeCursor } from './cursor';
export { type InstanceRow, listInstances } from './instances';
export {
  type BreakerOpening,
  type Issue,
  type IssueGroup,
  type IssueQuery,
  issueCause,
  listIssues,
  mergeGroups,
} from './issues';
export { type OverviewTile, overviewTiles } from './overview';
export {
  emptyQueueStats,
  type QueuePoint,
  type QueueSeries,
  type QueueSnapshot,
  type QueueStats,
  queueSeries,
  queueSnapshot,
  queueStats,
} from './queue';
export { type Aggregate, addAggregate, type BucketAggregate, emptyAggregate, readAggregates } from './rollups';
export { type RouteRow, routeTable } from './routes';
export { integrationIn, type WorkspaceScope } from './scope';
export {
  type BreakerInterval,
  breakerIntervals,
  type Step,
  stepFor,
  type Timeseries,
  type TimeseriesPoint,
  timeseries,
} from './timeseries';
export { callerNames, usageCounts } from './usage';
