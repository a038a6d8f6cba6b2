export { countSeries, countTotals, type OutcomeTotals } from './counts';
export {
  BadEventCursorError,
  EVENT_STATES,
  type EventDetail,
  type EventPage,
  type EventState,
  eventDetail,
  listEvents,
  MAX_EVENTS_PAGE,
  ReplayConflictError,
  replayEvent,
  startForwardSync,
  syncForwardStates,
} from './events';
export { receiveWebhook } from './receive';
export {
  DEDUP_BY,
  HMAC_ALGORITHMS,
  OUTCOMES,
  type Outcome,
  REJECTIONS,
  type RejectionReason,
  SCHEMES,
  type SourceConfig,
  type SourceInput,
  sourcePatchSchema,
  sourceSchema,
} from './schema';
export {
  createSource,
  deleteSource,
  findSource,
  listSources,
  SourceInputError,
  sourceView,
  updateSource,
  type WebhookSource,
  type WebhookSourceView,
} from './sources';
