export { countSeries, countTotals, flushWebhookCounts, type OutcomeTotals } from './counts';
export {
  BadEventCursorError,
  EVENT_STATES,
  type EventPage,
  eventDetail,
  listEvents,
  MAX_EVENTS_PAGE,
  ReplayConflictError,
  replayEvent,
  startForwardTracking,
} from './events';
export { receiveWebhook } from './receive';
export { pruneWebhookHistory } from './retention';
export { sourcePatchSchema, sourceSchema } from './schema';
export {
  createSource,
  deleteSource,
  findSource,
  listSources,
  SourceInputError,
  sourceView,
  updateSource,
  type WebhookSourceView,
} from './sources';
