import type { AlertTotals } from '@/lib/queries';

/**
 * What a threshold is measured in. It decides which thresholds are valid and how values are shown:
 * percentages are 0..100, counts whole numbers, the breaker state 0 (closed) or 1 (open).
 */
export type MetricKind = 'percent' | 'ms' | 'perSecond' | 'count' | 'ratio' | 'state';

export interface MetricDefinition {
  label: string;
  kind: MetricKind;
  /** the value over a window, null when there is nothing to measure (no data) */
  measure?: (totals: AlertTotals, windowMs: number) => number | null;
}

const quantile = (q: number) => (t: AlertTotals) => (t.requests ? t.histogram.quantile(q) : null);

export const METRICS = {
  error_rate: {
    label: 'Error rate',
    kind: 'percent',
    measure: (t) => (t.requests ? (100 * t.errors) / t.requests : null),
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
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as [MetricName, ...MetricName[]];

/** Breaker states that count as open: a failing upstream keeps a breaker cycling open → half-open → open. */
export const OPEN_BREAKER_STATES = new Set(['open', 'half-open', 'isolated']);

/** The value of a rollup-based metric over a window; null when there is nothing to measure. */
export function windowValue(metric: Exclude<MetricName, 'breaker_open'>, totals: AlertTotals, windowMs: number) {
  return METRICS[metric].measure(totals, windowMs);
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
    case 'ratio':
      return value.toFixed(2);
    default:
      return String(Math.round(value));
  }
}
