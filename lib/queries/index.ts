export { ERROR_OUTCOMES, type IntegrationSummary, integrationSummaries } from './integrations';
export { HOUR_SECONDS, MINUTE_SECONDS, type RollupRow, readRollups } from './rollups';
export {
  type BreakerInterval,
  breakerIntervals,
  type Step,
  stepFor,
  type Timeseries,
  type TimeseriesPoint,
  timeseries,
} from './timeseries';
