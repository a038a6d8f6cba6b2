export { countSeries, countTotals, flushWebhookCounts, type OutcomeTotals } from './counts';
export type { WebhookAnswer, WebhookDelivery } from './delivery';
export {
  type EventPage,
  eventDetail,
  listEvents,
  MAX_EVENTS_PAGE,
  ReplayConflictError,
  replayEvent,
  replayMatchingEvents,
  startForwardTracking,
} from './events';
export { receiveWebhook, UnknownSourceError } from './receive';
export { pruneWebhookHistory } from './retention';
export {
  bulkEventReplaySchema,
  EVENT_STATES,
  type EventState,
  eventFilterSchema,
  MAX_BULK_EVENT_REPLAY,
  sourcePatchSchema,
  sourceSchema,
} from './schema';
export {
  createSource,
  deleteSource,
  findSource,
  listSources,
  loadWebhookSourceSnapshot,
  replaceWebhookSourceSnapshot,
  SourceInputError,
  sourceForWebhook,
  sourceView,
  updateSource,
  type WebhookSource,
  type WebhookSourceRow,
  type WebhookSourceView,
} from './sources';
