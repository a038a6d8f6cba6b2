import {
  BREAKER_STATES,
  type ConfigFreshness,
  type DropStats,
  DURATION_BOUNDARIES_S,
  DurationHistogram,
  type MetricsRegistry,
  type SharedStateHealth,
} from './metrics';

type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(value)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function number(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string, samples: [Labels, number][]): void {
    if (samples.length === 0) return;
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.lines.push(`${name}${labelText(labels)} ${number(value)}`);
  }

  histogram(name: string, help: string, series: [Labels, DurationHistogram][]): void {
    if (series.length === 0) return;
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const [labels, h] of series) {
      let cumulative = 0;
      for (let i = 0; i < DURATION_BOUNDARIES_S.length; i++) {
        cumulative += h.counts[i];
        this.lines.push(`${name}_bucket${labelText(labels, ['le', String(DURATION_BOUNDARIES_S[i])])} ${cumulative}`);
      }
      this.lines.push(`${name}_bucket${labelText(labels, ['le', '+Inf'])} ${h.count}`);
      this.lines.push(`${name}_sum${labelText(labels)} ${number(h.sum)}`);
      this.lines.push(`${name}_count${labelText(labels)} ${h.count}`);
    }
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** One metric family as Prometheus text, for series read elsewhere (lib/usage's cost); empty without samples. */
export function prometheusFamily(
  name: string,
  type: 'counter' | 'gauge',
  help: string,
  samples: [Labels, number][],
): string {
  const out = new Exposition();
  out.family(name, type, help, samples);
  return samples.length ? out.toString() : '';
}

/**
 * Prometheus text exposition (format 0.0.4) of this process's metrics. Names are the Prometheus forms of
 * the OTel names (dots to underscores, unit and `_total` suffixes); attempts are grouped by status class.
 */
export function renderPrometheus(
  registry: MetricsRegistry,
  drops: DropStats,
  config?: ConfigFreshness,
  only?: { workspace: string },
  sharedState?: SharedStateHealth,
): string {
  const out = new Exposition();
  // A scrape is about one workspace: another's series are not shown (the process-wide ones are).
  const shown = [...registry.integrations.values()].filter((m) => !only || m.workspace === only.workspace);
  const durations = new Map<string, [Labels, DurationHistogram]>();
  const calls: [Labels, number][] = [];
  const billable: [Labels, number][] = [];
  const perIntegration = (pick: (m: import('./metrics').IntegrationMetrics) => number): [Labels, number][] =>
    shown.map((m) => [{ workspace: m.workspace, integration: m.integration }, pick(m)]);
  const cache: [Labels, number][] = [];
  const transitions: [Labels, number][] = [];
  const states: [Labels, number][] = [];
  const remaining: [Labels, number][] = [];
  const announcedLimits: [Labels, number][] = [];
  for (const m of shown) {
    for (const series of m.attempts.values()) {
      const key = JSON.stringify(series.labels);
      let entry = durations.get(key);
      if (!entry) {
        entry = [series.labels, new DurationHistogram()];
        durations.set(key, entry);
      }
      entry[1].add(series.histogram);
    }
    for (const series of m.calls.values()) calls.push([series.labels, series.calls]);
    for (const series of m.billable.values()) billable.push([series.labels, series.attempts]);
    const { workspace, integration } = m;
    cache.push([{ workspace, integration, result: 'hit' }, m.cacheHits]);
    cache.push([{ workspace, integration, result: 'miss' }, m.cacheMisses]);
    cache.push([{ workspace, integration, result: 'stale' }, m.cacheStale]);
    for (const [key, n] of m.breakerTransitions) {
      const [from, to] = key.split('\u0000');
      transitions.push([{ workspace, integration, from, to }, n]);
    }
    for (const state of BREAKER_STATES)
      states.push([{ workspace, integration, state }, m.breakerState === state ? 1 : 0]);
    if (m.upstreamRemaining !== undefined) remaining.push([{ workspace, integration }, m.upstreamRemaining]);
    if (m.upstreamLimitPerMinute !== undefined)
      announcedLimits.push([{ workspace, integration }, m.upstreamLimitPerMinute]);
  }
  out.histogram(
    'http_client_request_duration_seconds',
    'Duration of HTTP client requests (one per attempt) to upstreams.',
    [...durations.values()],
  );
  out.family('breakwater_calls_total', 'counter', 'Logical calls through the resilient client, by outcome.', calls);
  out.histogram(
    'breakwater_call_duration_seconds',
    'What callers waited per logical call, cache answers and short circuits included (attempts: http_client_request_duration_seconds).',
    shown.map((m) => [{ workspace: m.workspace, integration: m.integration }, m.callDuration]),
  );
  out.family(
    'breakwater_billable_attempts_total',
    'counter',
    'Attempts that reached the upstream (what it bills), by caller, attempt kind and answer class.',
    billable,
  );
  out.family(
    'resilience_retries_total',
    'counter',
    'Retries made (attempts after the first).',
    perIntegration((m) => m.retries),
  );
  out.family(
    'resilience_rate_limiter_waits_total',
    'counter',
    'Calls that waited for a rate-limit token.',
    perIntegration((m) => m.rateLimitWaits),
  );
  out.family(
    'resilience_rate_limiter_wait_seconds_total',
    'counter',
    'Time spent waiting for rate-limit tokens.',
    perIntegration((m) => m.rateLimitWaitSeconds),
  );
  out.family(
    'resilience_rate_limiter_rejections_total',
    'counter',
    'Calls rejected by the rate limiter.',
    perIntegration((m) => m.rateLimitRejections),
  );
  out.family('resilience_cache_lookups_total', 'counter', 'Response cache lookups by result.', cache);
  out.family(
    'resilience_bulkhead_rejections_total',
    'counter',
    'Calls rejected by the bulkhead (queue full or queue timeout).',
    perIntegration((m) => m.bulkheadRejections),
  );
  out.family(
    'resilience_breaker_rejections_total',
    'counter',
    'Calls rejected by an open circuit breaker.',
    perIntegration((m) => m.breakerRejections),
  );
  out.family(
    'resilience_breaker_probes_total',
    'counter',
    'Calls admitted as half-open probes by the circuit breaker.',
    perIntegration((m) => m.breakerProbes),
  );
  out.family(
    'resilience_fallbacks_total',
    'counter',
    'Calls answered by a fallback.',
    perIntegration((m) => m.fallbacks),
  );
  out.family('resilience_breaker_transitions_total', 'counter', 'Circuit breaker state transitions.', transitions);
  out.family('resilience_breaker_state', 'gauge', 'Circuit breaker state (1 for the current state).', states);
  out.family(
    'resilience_upstream_quota_remaining',
    'gauge',
    "The upstream's last reported X-RateLimit-Remaining.",
    remaining,
  );
  out.family(
    'resilience_upstream_quota_limit_per_minute',
    'gauge',
    'The limit the upstream last announced (RateLimit-Policy, RateLimit-Limit or X-RateLimit-Limit), per minute.',
    announcedLimits,
  );
  out.family('breakwater_telemetry_dropped_total', 'counter', 'Telemetry dropped instead of slowing calls, by kind.', [
    [{ kind: 'call_log' }, drops.droppedCallLogRows],
    [{ kind: 'rollup_calls' }, drops.droppedRollups],
    [{ kind: 'breaker_event' }, drops.droppedBreakerEvents ?? 0],
    [{ kind: 'journal_line' }, drops.droppedJournalLines ?? 0],
  ]);
  out.family('breakwater_telemetry_failed_flushes_total', 'counter', 'Telemetry database writes that failed.', [
    [{}, drops.failedFlushes],
  ]);
  if (config) {
    out.family(
      'breakwater_config_refresh_failures_total',
      'counter',
      "Failed checks or reloads of the data plane's in-memory configuration (the last one kept serving).",
      [[{}, config.refreshFailures]],
    );
    out.family(
      'breakwater_config_age_seconds',
      'gauge',
      "Seconds since the data plane's in-memory configuration was last confirmed current.",
      [[{}, config.ageSeconds]],
    );
  }
  if (sharedState) {
    out.family(
      'breakwater_redis_degraded',
      'gauge',
      '1 while Redis fails or is slow and this instance runs on its local state (limits, breakers, cache, replays).',
      [[{}, sharedState.degraded ? 1 : 0]],
    );
    out.family(
      'breakwater_redis_fallbacks_total',
      'counter',
      'Redis operations answered from local state instead (Redis failed or was slower than its timeout).',
      [[{}, sharedState.fallbacks]],
    );
  }
  return out.toString();
}
