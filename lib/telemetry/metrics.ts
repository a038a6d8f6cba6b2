import type { Attributes } from '@opentelemetry/api';
import { type BreakerState, type CallSummary, parseAnnouncedLimit } from '@/lib/resilience';
import { attemptKind, attemptOutcome } from './usage-rollups';

/** OTel semantic-convention boundaries (seconds) for `http.client.request.duration`. */
export const DURATION_BOUNDARIES_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
export const BREAKER_STATES: BreakerState[] = ['closed', 'open', 'half-open', 'isolated'];

/** An explicit-bucket histogram: a fixed array walk per sample, nothing allocated. */
export class DurationHistogram {
  readonly counts = new Array<number>(DURATION_BOUNDARIES_S.length + 1).fill(0);
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  record(seconds: number): void {
    let i = 0;
    while (i < DURATION_BOUNDARIES_S.length && seconds > DURATION_BOUNDARIES_S[i]) i++;
    this.counts[i]++;
    this.count++;
    this.sum += seconds;
    if (seconds < this.min) this.min = seconds;
    if (seconds > this.max) this.max = seconds;
  }

  add(other: DurationHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }
}

/** One attempt series: its OTel attributes and Prometheus labels are computed once, when it first appears. */
export interface AttemptSeries {
  attributes: Attributes;
  labels: Record<string, string>;
  histogram: DurationHistogram;
}

/** Attempts that reached the upstream, as usage and cost count them (UsageRollup's classes). */
export interface BillableSeries {
  labels: Record<string, string>;
  attempts: number;
}

export interface CallSeries {
  attributes: Attributes;
  labels: Record<string, string>;
  calls: number;
}

function statusClass(status: number | undefined): string {
  return status === undefined ? 'none' : `${Math.floor(status / 100)}xx`;
}

/** Where the upstream lives, for `server.address` / `server.port`. */
export interface Target {
  scheme: string;
  address: string;
  port: number;
}

/**
 * The live metrics of one integration, bound once per client listener so a call costs a few field
 * increments and, per attempt, one map lookup by a short string key.
 */
export class IntegrationMetrics {
  readonly attempts = new Map<string, AttemptSeries>();
  readonly calls = new Map<string, CallSeries>();
  readonly billable = new Map<string, BillableSeries>();
  retries = 0;
  rateLimitWaits = 0;
  rateLimitWaitSeconds = 0;
  rateLimitRejections = 0;
  cacheHits = 0;
  cacheMisses = 0;
  cacheStale = 0;
  bulkheadRejections = 0;
  breakerRejections = 0;
  /** calls answered by a fallback, and calls admitted as the breaker's half-open probes */
  fallbacks = 0;
  breakerProbes = 0;
  /**
   * What callers waited, per call (cache answers and short circuits included), beside the attempts'
   * durations above, which are the upstream's own: the two are never mixed.
   */
  readonly callDuration = new DurationHistogram();
  readonly breakerTransitions = new Map<string, number>();
  breakerState: BreakerState = 'closed';
  /** the upstream's last X-RateLimit-Remaining, when it sends one */
  upstreamRemaining?: number;
  /** the limit (calls per minute) the upstream last announced (parseAnnouncedLimit), when it announces one */
  upstreamLimitPerMinute?: number;
  target?: Target;
  /**
   * The environment the integration's current client calls (set when a client is attached): call and
   * attempt series carry it as the `environment` label / `breakwater.environment` attribute.
   */
  environment = 'production';

  constructor(
    readonly integration: string,
    readonly workspace: string = DEFAULT_WORKSPACE_SLUG,
  ) {}

  recordCall(s: CallSummary): void {
    const environment = this.environment;
    const callKey = `${environment}\u0000${s.route}\u0000${s.outcome}`;
    let call = this.calls.get(callKey);
    if (!call) {
      call = {
        attributes: {
          'breakwater.workspace': this.workspace,
          'breakwater.integration': this.integration,
          'breakwater.environment': environment,
          'url.template': s.route,
          'breakwater.outcome': s.outcome,
        },
        labels: {
          workspace: this.workspace,
          integration: this.integration,
          environment,
          route: s.route,
          outcome: s.outcome,
        },
        calls: 0,
      };
      this.calls.set(callKey, call);
    }
    call.calls++;
    this.retries += s.retries;
    if (s.rateLimitWaitMs > 0) {
      this.rateLimitWaits++;
      this.rateLimitWaitSeconds += s.rateLimitWaitMs / 1000;
    }
    switch (s.outcome) {
      case 'rate_limited':
        this.rateLimitRejections++;
        break;
      case 'bulkhead_rejected':
        this.bulkheadRejections++;
        break;
      case 'circuit_open':
        this.breakerRejections++;
        break;
      case 'fallback':
        this.fallbacks++;
        break;
    }
    if (s.breakerProbe) this.breakerProbes++;
    this.callDuration.record(s.durationMs / 1000);
    if (s.cache === 'hit') this.cacheHits++;
    else if (s.cache === 'miss') this.cacheMisses++;
    else if (s.cache === 'stale') this.cacheStale++;
    for (let i = 0; i < s.attempts.length; i++) {
      const a = s.attempts[i];
      const key = `${environment}\u0000${s.method}\u0000${s.route}\u0000${a.status ?? a.errorType}\u0000${s.outcome}`;
      let series = this.attempts.get(key);
      if (!series) {
        series = this.attemptSeries(s, a.status, a.errorType);
        this.attempts.set(key, series);
      }
      series.histogram.record(a.durationMs / 1000);
      this.countBillable(environment, s, a);
    }
    const remaining = s.responseHeaders?.['x-ratelimit-remaining'];
    if (remaining !== undefined) {
      const value = Number(remaining);
      if (Number.isFinite(value)) this.upstreamRemaining = value;
    }
    if (s.responseHeaders) {
      const announced = parseAnnouncedLimit(s.responseHeaders);
      if (announced !== undefined) this.upstreamLimitPerMinute = announced;
    }
  }

  private countBillable(environment: string, s: CallSummary, a: CallSummary['attempts'][number]): void {
    const caller = s.tags?.caller ?? (s.tags?.replayOfId ? 'replay' : 'internal');
    const kind = attemptKind(a, s.tags?.replayOfId !== undefined);
    const outcome = attemptOutcome(a);
    const key = `${environment}\u0000${caller}\u0000${kind}\u0000${outcome}`;
    let series = this.billable.get(key);
    if (!series) {
      series = {
        labels: {
          workspace: this.workspace,
          integration: this.integration,
          environment,
          caller,
          attempt_kind: kind,
          outcome,
        },
        attempts: 0,
      };
      this.billable.set(key, series);
    }
    series.attempts++;
  }

  recordTransition(from: BreakerState, to: BreakerState): void {
    const key = `${from}\u0000${to}`;
    this.breakerTransitions.set(key, (this.breakerTransitions.get(key) ?? 0) + 1);
    this.breakerState = to;
  }

  private attemptSeries(s: CallSummary, status: number | undefined, errorType: string | undefined): AttemptSeries {
    const attributes: Attributes = {
      'http.request.method': s.method,
      'url.template': s.route,
      'breakwater.workspace': this.workspace,
      'breakwater.integration': this.integration,
      'breakwater.environment': this.environment,
      'breakwater.outcome': s.outcome,
    };
    if (this.target) {
      attributes['server.address'] = this.target.address;
      attributes['server.port'] = this.target.port;
    }
    if (status !== undefined) attributes['http.response.status_code'] = status;
    const error = errorType ?? (status !== undefined && status >= 500 ? String(status) : undefined);
    if (error !== undefined) attributes['error.type'] = error;
    return {
      attributes,
      labels: {
        workspace: this.workspace,
        integration: this.integration,
        environment: this.environment,
        route: s.route,
        method: s.method,
        status_class: statusClass(status),
        outcome: s.outcome,
      },
      histogram: new DurationHistogram(),
    };
  }
}

/** Counters the recorder keeps about itself (read at collection time, never on the call path). */
/** The data plane's in-memory configuration, as /api/metrics shows it. */
/** The shared-state (Redis) link, when REDIS_URL is set. */
export interface SharedStateHealth {
  /** calls are on this instance's local state now (Redis failed or was slow) */
  degraded: boolean;
  /** Redis operations answered from local state instead, since start */
  fallbacks: number;
}

export interface ConfigFreshness {
  /** version checks or reloads that failed (the last snapshot was served meanwhile) */
  refreshFailures: number;
  /** seconds since the snapshot was last confirmed current (a successful check or reload) */
  ageSeconds: number;
}

export interface DropStats {
  droppedCallLogRows: number;
  droppedRollups: number;
  droppedBreakerEvents?: number;
  /** calls the telemetry journal could not take (disk full, say): counted, but lost to a SIGKILL before the flush */
  droppedJournalLines?: number;
  failedFlushes: number;
}

/** The workspace label of a client attached without one (the workspace every install starts with). */
export const DEFAULT_WORKSPACE_SLUG = 'default';

/** All integrations' live metrics in this process: the source of both /api/metrics and OTLP metrics. */
export class MetricsRegistry {
  readonly integrations = new Map<string, IntegrationMetrics>();
  readonly startedAt = Date.now();

  /** Keyed by workspace and integration slug: two workspaces may both have a "crm". */
  forIntegration(integration: string, workspace: string = DEFAULT_WORKSPACE_SLUG): IntegrationMetrics {
    const key = `${workspace}\u0000${integration}`;
    let m = this.integrations.get(key);
    if (!m) {
      m = new IntegrationMetrics(integration, workspace);
      this.integrations.set(key, m);
    }
    return m;
  }
}
