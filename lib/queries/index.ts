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
  searchCalls,
} from './calls';
export { ERROR_OUTCOMES, type IntegrationSummary, integrationSummaries } from './integrations';
export { type Health, type OverviewTile, overviewTiles } from './overview';
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
