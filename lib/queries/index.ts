export {
  type AlertTotals,
  addAlertTotals,
  alertMinuteTotals,
  alertWindowTotals,
  type BreakerChange,
  breakerChanges,
  emptyAlertTotals,
  minuteOf,
} from './alert-metrics';
export { type FiringAlertRow, firingAlertRows } from './alerts';
export {
  BadCursorError,
  type CallAttemptView,
  type CallDetail,
  type CallFilter,
  type CallPage,
  type CallRow,
  callDetail,
  MAX_LIMIT,
  type PolicyDecision,
  REPLAYS_SHOWN,
  type ReplayRow,
  searchCalls,
} from './calls';
export { ERROR_OUTCOMES } from './integrations';
export { type Health, type OverviewTile, overviewTiles } from './overview';
export {
  emptyQueueStats,
  JOB_STATES,
  type JobState,
  type QueuePoint,
  type QueueSeries,
  type QueueSnapshot,
  type QueueStats,
  queueSeries,
  queueSnapshot,
  queueStats,
} from './queue';
export {
  type Aggregate,
  type BucketAggregate,
  HOUR_SECONDS,
  MINUTE_SECONDS,
  readAggregates,
} from './rollups';
export {
  type BreakerInterval,
  breakerIntervals,
  type Step,
  stepFor,
  type Timeseries,
  type TimeseriesPoint,
  timeseries,
} from './timeseries';
