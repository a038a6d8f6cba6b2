import { errorsIn } from '@/lib/model';
import type { Aggregate, QueueStats } from '@/lib/queries';

/**
 * What a threshold is measured in. It decides which thresholds are valid and how values are shown:
 * percentages are 0..100, counts whole numbers, ages seconds, the breaker state 0 (closed) or 1 (open).
 */
export type MetricKind = 'percent' | 'ms' | 'perSecond' | 'count' | 'ratio' | 'state' | 'seconds' | 'money' | 'quota';

/** What usage metrics read: an integration's month so far (lib/usage), amounts in its currency's major unit. */
export interface UsageValues {
  costMonthToDate: number;
  costForecastMonth: number;
  /** billable attempts over the included quota (1 = used up); null without a quota */
  quotaUsedRatio: number | null;
}

/** What queue metrics read: the live stats, or one sampled point of them (preview). */
export type QueueValues = Pick<
  QueueStats,
  'depth' | 'oldestQueuedAgeSeconds' | 'deadLetters' | 'oldestDeadLetterAgeSeconds'
>;

export interface MetricDefinition {
  label: string;
  kind: MetricKind;
  /** the value over a window, null when there is nothing to measure (no data) */
  measure?: (totals: Aggregate, windowMs: number) => number | null;
  /** the job queue's value now (the window does not apply): see runner */
  queue?: (stats: QueueValues) => number;
  /** the month's usage and cost so far (the window does not apply): see runner; null when not priced */
  usage?: (values: UsageValues) => number | null;
}

const quantile = (q: number) => (t: Aggregate) => (t.requests ? t.histogram.quantile(q) : null);

export const METRICS = {
  error_rate: {
    label: 'Error rate',
    kind: 'percent',
    measure: (t) => (t.requests ? (100 * errorsIn(t.byOutcome)) / t.requests : null),
  },
  latency_p50: { label: 'Latency p50', kind: 'ms', measure: quantile(0.5) },
  latency_p95: { label: 'Latency p95', kind: 'ms', measure: quantile(0.95) },
  latency_p99: { label: 'Latency p99', kind: 'ms', measure: quantile(0.99) },
  request_rate: {
    label: 'Request rate',
    kind: 'perSecond',
    measure: (t, windowMs) => (t.requests ? t.requests / (windowMs / 1000) : null),
  },
  cache_hit_ratio: {
    label: 'Cache hit ratio',
    kind: 'percent',
    measure: (t) => (t.cacheHits + t.cacheMisses ? (100 * t.cacheHits) / (t.cacheHits + t.cacheMisses) : null),
  },
  rate_limit_rejections: {
    label: 'Rate-limit rejections',
    kind: 'count',
    measure: (t) => (t.requests || t.rateLimitRejections ? t.rateLimitRejections : null),
  },
  retries_per_call: {
    label: 'Retries per call',
    kind: 'ratio',
    measure: (t) => (t.requests ? t.retries / t.requests : null),
  },
  // Read from breaker transitions, not rollups (see runner): 1 while any instance is open or half-open.
  breaker_open: { label: 'Breaker open', kind: 'state' },
  // Read live from the job queue, not rollups (see runner). No waiting job is an age of 0, not no data.
  job_queue_depth: { label: 'Job queue depth', kind: 'count', queue: (s) => s.depth },
  job_oldest_queued_age: {
    label: 'Oldest queued job age',
    kind: 'seconds',
    queue: (s) => s.oldestQueuedAgeSeconds ?? 0,
  },
  dead_letters: { label: 'Dead letters', kind: 'count', queue: (s) => s.deadLetters },
  dead_letter_oldest_age: {
    label: 'Oldest dead letter age',
    kind: 'seconds',
    queue: (s) => s.oldestDeadLetterAgeSeconds ?? 0,
  },
  // Budgets: read from the usage rollups priced by lib/usage (see runner), in the integration's currency.
  cost_month_to_date: { label: 'Cost this month', kind: 'money', usage: (u) => u.costMonthToDate },
  cost_forecast_month: { label: 'Forecast cost this month', kind: 'money', usage: (u) => u.costForecastMonth },
  quota_used_ratio: { label: 'Included quota used', kind: 'quota', usage: (u) => u.quotaUsedRatio },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as [MetricName, ...MetricName[]];

type MetricsWith<Field extends string> = {
  [K in MetricName]: (typeof METRICS)[K] extends Record<Field, unknown> ? K : never;
}[MetricName];
/** Metrics measured over a window of minute rollups. */
export type RollupMetric = MetricsWith<'measure'>;
/** Metrics read live from the job queue. */
export type QueueMetric = MetricsWith<'queue'>;
/** Metrics read from the month's priced usage. */
export type UsageMetric = MetricsWith<'usage'>;

/**
 * The instance of a queue rule scoped to every integration: it watches the whole queue. Its slug is not a
 * valid integration slug, so it never meets a real one.
 */
export const ALL_INTEGRATIONS = { id: '*', slug: 'all integrations' } as const;

export function isQueueMetric(metric: MetricName): metric is QueueMetric {
  return 'queue' in METRICS[metric];
}

export function isUsageMetric(metric: MetricName): metric is UsageMetric {
  return 'usage' in METRICS[metric];
}

/** The value of a usage metric; null (no data) when the integration has no price. */
export function usageValue(metric: UsageMetric, values: UsageValues | undefined): number | null {
  return values ? METRICS[metric].usage(values) : null;
}

/** The value of a queue metric from the queue's live stats. */
export function queueValue(metric: QueueMetric, stats: QueueValues): number {
  return METRICS[metric].queue(stats);
}

/** The value of a rollup-based metric over a window; null when there is nothing to measure. */
export function windowValue(metric: RollupMetric, totals: Aggregate, windowMs: number) {
  return METRICS[metric].measure(totals, windowMs);
}

const UNITS: Record<MetricKind, string> = {
  percent: '%',
  ms: 'ms',
  perSecond: '/s',
  count: 'count',
  ratio: '',
  state: '1 = open',
  seconds: 's',
  money: 'in the price’s currency',
  quota: '1 = used up',
};

/** The unit a metric's values are in: %, ms, /s, count, s ('' for retries per call). */
export function metricUnit(metric: MetricName): string {
  return UNITS[METRICS[metric].kind];
}

/** The metrics as a rule form offers them: each name with its label and unit, e.g. "Latency p95 (ms)". */
export function metricChoices(): [MetricName, string][] {
  return METRIC_NAMES.map((name) => {
    const { label, kind } = METRICS[name];
    return [name, UNITS[kind] ? `${label} (${UNITS[kind]})` : label];
  });
}

export function formatValue(metric: MetricName, value: number | null): string {
  if (value === null) return 'no data';
  switch (METRICS[metric].kind) {
    case 'percent':
      return `${value.toFixed(1)}%`;
    case 'ms':
      return `${Math.round(value)} ms`;
    case 'perSecond':
      return `${value.toFixed(2)}/s`;
    case 'state':
      return value >= 1 ? 'open' : 'closed';
    case 'seconds':
      return formatSeconds(value);
    case 'ratio':
    case 'money':
    case 'quota':
      return value.toFixed(2);
    default:
      return String(Math.round(value));
  }
}

/** An age: seconds under two minutes, then minutes, then hours, then days. */
function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}
