export { type Channel, type Delivery, deliver } from './delivery';
export { durationMs, parseDuration } from './duration';
export { ALERT_STATES, type AlertState } from './evaluator';
export {
  formatValue,
  METRIC_NAMES,
  METRICS,
  type MetricKind,
  type MetricName,
  metricChoices,
} from './metrics';
export { type Preview, previewRule, previewRuleInScope } from './preview';
export { BUDGET_RULES, DEFAULT_RULES, evaluateAlerts, seedDefaultRules, startAlerting } from './runner';
export {
  CHANNEL_KINDS,
  type ChannelConfig,
  COMPARATORS,
  channelSchema,
  NO_DATA,
  type RuleConfig,
  type RuleInput,
  ruleSchema,
  SEVERITIES,
  type SilenceConfig,
  silenceSchema,
} from './schema';
export {
  AlertConflictError,
  channelView,
  chartThresholds,
  createChannel,
  createRule,
  createSilence,
  deleteChannel,
  deleteRule,
  deleteSilence,
  findChannel,
  findRule,
  findSilence,
  firingAlerts,
  type InstanceView,
  listChannels,
  listInstances,
  listNotifications,
  listRules,
  listSilences,
  type Rule,
  stateHistory,
  updateRule,
} from './service';
