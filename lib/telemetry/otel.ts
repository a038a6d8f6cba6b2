import {
  type Attributes,
  type Context,
  createTraceState,
  type HrTime,
  metrics,
  type Span as OtelSpan,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
  ValueType,
} from '@opentelemetry/api';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type MetricData,
  type MetricProducer,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  type IdGenerator,
  RandomIdGenerator,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type RedactionRules, scrubSecrets } from '@/lib/redaction';
import type { CallSummary, TraceContext } from '@/lib/resilience';
import {
  BREAKER_STATES,
  DEFAULT_WORKSPACE_SLUG,
  type DropStats,
  DURATION_BOUNDARIES_S,
  type MetricsRegistry,
  type Target,
} from './metrics';

export const SCOPE = 'breakwater';

type Env = Record<string, string | undefined>;

function set(env: Env, name: string): boolean {
  return (env[name] ?? '').trim() !== '';
}

function protocolOf(env: Env, signal: 'TRACES' | 'METRICS'): 'http/protobuf' | 'http/json' {
  const value = (env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`] ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim();
  if (value === '' || value === 'http/protobuf') return 'http/protobuf';
  if (value === 'http/json') return 'http/json';
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL ${value} is not supported here (use http/protobuf or http/json)`);
}

/** Which signals go out over OTLP: only those with an endpoint configured, and not turned off. */
export function otlpSignals(env: Env = process.env): { traces: boolean; metrics: boolean } {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return { traces: false, metrics: false };
  const any = set(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return {
    traces: (any || set(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')) && env.OTEL_TRACES_EXPORTER?.trim() !== 'none',
    metrics: (any || set(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT')) && env.OTEL_METRICS_EXPORTER?.trim() !== 'none',
  };
}

/**
 * Only Breakwater's own spans are exported. Next.js reports route and render spans through the same global
 * API; they carry nothing about upstreams, are not parents of our call spans (those are built after the
 * fact), and would cost throughput, so they are dropped here deliberately.
 */
class OwnSpansOnly implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}
  onStart(span: Span, parentContext: Context): void {
    if (span.instrumentationScope.name === SCOPE) this.next.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    if (span.instrumentationScope.name === SCOPE) this.next.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/**
 * Lets a span built after the fact take the ids the call already used on the wire (the call's and each
 * attempt's span id, the trace id of a new trace), so the upstream's own spans hang under the attempt
 * that reached it. Everything else gets random ids.
 */
class TraceparentIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  nextTraceId?: string;
  nextSpanId?: string;
  generateTraceId(): string {
    const id = this.nextTraceId;
    this.nextTraceId = undefined;
    return id ?? this.random.generateTraceId();
  }
  generateSpanId(): string {
    const id = this.nextSpanId;
    this.nextSpanId = undefined;
    return id ?? this.random.generateSpanId();
  }
}

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/** Metric points read from the registry at collection time: nothing is recorded twice on the call path. */
export class RegistryMetricProducer implements MetricProducer {
  constructor(
    private readonly registry: MetricsRegistry,
    private readonly drops: () => DropStats,
  ) {}

  async collect(): Promise<CollectionResult> {
    return {
      resourceMetrics: {
        resource: resourceFromAttributes({}),
        scopeMetrics: [{ scope: { name: SCOPE }, metrics: registryMetricData(this.registry, this.drops()) }],
      },
      errors: [],
    };
  }
}

function registryMetricData(registry: MetricsRegistry, drops: DropStats, now = Date.now()): MetricData[] {
  const startTime = hrTime(registry.startedAt);
  const endTime = hrTime(now);
  const point = <T>(attributes: Attributes, value: T) => ({ startTime, endTime, attributes, value });
  const sum = (name: string, unit: string, description: string, points: [Attributes, number][]): MetricData => ({
    descriptor: { name, unit, description, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints: points.map(([attributes, value]) => point(attributes, value)),
  });
  const gauge = (name: string, unit: string, description: string, points: [Attributes, number][]): MetricData => ({
    descriptor: { name, unit, description, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: points.map(([attributes, value]) => point(attributes, value)),
  });
  const all = [...registry.integrations.values()];
  const per = (pick: (m: (typeof all)[number]) => number): [Attributes, number][] =>
    all.map((m) => [{ 'breakwater.workspace': m.workspace, 'breakwater.integration': m.integration }, pick(m)]);
  const durations = all.flatMap((m) =>
    [...m.attempts.values()].map((s) =>
      point(s.attributes, {
        buckets: { boundaries: DURATION_BOUNDARIES_S, counts: [...s.histogram.counts] },
        sum: s.histogram.sum,
        count: s.histogram.count,
        min: s.histogram.min,
        max: s.histogram.max,
      }),
    ),
  );
  const metrics: MetricData[] = [
    {
      descriptor: {
        name: 'http.client.request.duration',
        unit: 's',
        description: 'Duration of HTTP client requests.',
        valueType: ValueType.DOUBLE,
      },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: durations,
    },
    {
      descriptor: {
        name: 'breakwater.call.duration',
        unit: 's',
        description: 'What callers waited per logical call, cache answers and short circuits included.',
        valueType: ValueType.DOUBLE,
      },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: all
        .filter((m) => m.callDuration.count > 0)
        .map((m) =>
          point(
            { 'breakwater.workspace': m.workspace, 'breakwater.integration': m.integration },
            {
              buckets: { boundaries: DURATION_BOUNDARIES_S, counts: [...m.callDuration.counts] },
              sum: m.callDuration.sum,
              count: m.callDuration.count,
              min: m.callDuration.min,
              max: m.callDuration.max,
            },
          ),
        ),
    },
    sum(
      'breakwater.calls',
      '{call}',
      'Logical calls through the resilient client.',
      all.flatMap((m) => [...m.calls.values()].map((c) => [c.attributes, c.calls] as [Attributes, number])),
    ),
    sum(
      'resilience.retries',
      '{retry}',
      'Retries made.',
      per((m) => m.retries),
    ),
    sum(
      'resilience.rate_limiter.waits',
      '{call}',
      'Calls that waited for a token.',
      per((m) => m.rateLimitWaits),
    ),
    sum(
      'resilience.rate_limiter.rejections',
      '{call}',
      'Calls the limiter rejected.',
      per((m) => m.rateLimitRejections),
    ),
    sum(
      'resilience.cache.lookups',
      '{lookup}',
      'Response cache lookups by result.',
      all.flatMap((m) =>
        (
          [
            ['hit', m.cacheHits],
            ['miss', m.cacheMisses],
            ['stale', m.cacheStale],
          ] as const
        ).map(([result, n]) => [
          {
            'breakwater.workspace': m.workspace,
            'breakwater.integration': m.integration,
            'resilience.cache.result': result,
          },
          n,
        ]),
      ) as [Attributes, number][],
    ),
    sum(
      'resilience.bulkhead.rejections',
      '{call}',
      'Calls the bulkhead rejected.',
      per((m) => m.bulkheadRejections),
    ),
    sum(
      'resilience.breaker.rejections',
      '{call}',
      'Calls an open breaker rejected.',
      per((m) => m.breakerRejections),
    ),
    sum(
      'resilience.breaker.probes',
      '{call}',
      'Calls admitted as half-open probes.',
      per((m) => m.breakerProbes),
    ),
    sum(
      'resilience.fallbacks',
      '{call}',
      'Calls answered by a fallback.',
      per((m) => m.fallbacks),
    ),
    sum(
      'resilience.breaker.transitions',
      '{transition}',
      'Circuit breaker state transitions.',
      all.flatMap((m) =>
        [...m.breakerTransitions].map(([key, n]) => {
          const [from, to] = key.split('\u0000');
          return [
            {
              'breakwater.workspace': m.workspace,
              'breakwater.integration': m.integration,
              'resilience.breaker.from': from,
              'resilience.breaker.to': to,
            },
            n,
          ] as [Attributes, number];
        }),
      ),
    ),
    gauge(
      'resilience.breaker.state',
      '1',
      'Circuit breaker state (1 for the current state).',
      all.flatMap((m) =>
        BREAKER_STATES.map(
          (state) =>
            [
              {
                'breakwater.workspace': m.workspace,
                'breakwater.integration': m.integration,
                'resilience.breaker.state': state,
              },
              m.breakerState === state ? 1 : 0,
            ] as [Attributes, number],
        ),
      ),
    ),
    gauge(
      'resilience.upstream.quota.remaining',
      '{request}',
      "The upstream's last reported X-RateLimit-Remaining.",
      all
        .filter((m) => m.upstreamRemaining !== undefined)
        .map((m) => [
          { 'breakwater.workspace': m.workspace, 'breakwater.integration': m.integration },
          m.upstreamRemaining!,
        ]),
    ),
    gauge(
      'resilience.upstream.quota.limit',
      '{request}/min',
      'The limit the upstream last announced (RateLimit-Policy, RateLimit-Limit or X-RateLimit-Limit), per minute.',
      all
        .filter((m) => m.upstreamLimitPerMinute !== undefined)
        .map((m) => [
          { 'breakwater.workspace': m.workspace, 'breakwater.integration': m.integration },
          m.upstreamLimitPerMinute!,
        ]),
    ),
    sum('breakwater.telemetry.dropped', '{item}', 'Telemetry dropped instead of slowing calls.', [
      [{ 'breakwater.telemetry.kind': 'call_log' }, drops.droppedCallLogRows],
      [{ 'breakwater.telemetry.kind': 'rollup_calls' }, drops.droppedRollups],
      [{ 'breakwater.telemetry.kind': 'breaker_event' }, drops.droppedBreakerEvents ?? 0],
      [{ 'breakwater.telemetry.kind': 'journal_line' }, drops.droppedJournalLines ?? 0],
    ]),
  ];
  return metrics.filter((m) => m.dataPoints.length > 0);
}

/** url.full without credentials, query values or configured secrets. */
export function redactedUrl(target: Target | undefined, path: string, rules: RedactionRules): string {
  const queryAt = path.indexOf('?');
  let safe = queryAt < 0 ? path : path.slice(0, queryAt);
  if (queryAt >= 0) {
    const names = path
      .slice(queryAt + 1)
      .split('&')
      .filter(Boolean)
      .map((pair) => `${pair.split('=')[0]}=REDACTED`);
    safe += `?${names.join('&')}`;
  }
  safe = scrubSecrets(safe, rules.secrets ?? []);
  if (!target) return safe;
  return `${target.scheme}://${target.address}:${target.port}${safe}`;
}

function serverAttributes(target: Target | undefined): Attributes {
  return target ? { 'server.address': target.address, 'server.port': target.port } : {};
}

/**
 * Builds a call's spans after the fact from its summary: one span for the logical call and one CLIENT
 * span per attempt, with explicit times, so the call path never holds a span object.
 */
export class CallSpans {
  constructor(
    private readonly tracer: Tracer,
    private readonly ids?: TraceparentIds,
  ) {}

  record(
    integration: string,
    s: CallSummary,
    target: Target | undefined,
    rules: RedactionRules,
    workspace = DEFAULT_WORKSPACE_SLUG,
  ): void {
    const server = serverAttributes(target);
    const failed = s.outcome !== 'success' && s.outcome !== 'client_error' && s.outcome !== 'fallback';
    const attributes: Attributes = {
      'breakwater.workspace': workspace,
      'breakwater.integration': integration,
      'breakwater.request_id': s.requestId,
      'breakwater.outcome': s.outcome,
      'breakwater.cache': s.cache,
      'http.request.method': s.method,
      'url.template': s.route,
      'breakwater.retries': s.retries,
      ...server,
    };
    if (s.status !== undefined) attributes['http.response.status_code'] = s.status;
    if (failed) attributes['error.type'] = s.errorType ?? s.outcome;
    if (s.upstreamRequestId !== undefined) attributes['breakwater.upstream_request_id'] = s.upstreamRequestId;
    const call = this.startWithIds(
      s.trace,
      `${s.method} ${s.route}`,
      { kind: SpanKind.INTERNAL, startTime: hrTime(s.startedAt), attributes },
      remoteParent(s.trace),
    );
    if (s.rateLimitWaitMs > 0)
      call.addEvent('resilience.rate_limiter.wait', { 'resilience.wait_ms': s.rateLimitWaitMs }, hrTime(s.startedAt));
    if (s.outcome === 'rate_limited') call.addEvent('resilience.rate_limiter.rejected', {}, hrTime(s.startedAt));
    if (s.outcome === 'circuit_open') call.addEvent('resilience.circuit_breaker.rejected', {}, hrTime(s.startedAt));
    if (s.outcome === 'bulkhead_rejected') call.addEvent('resilience.bulkhead.rejected', {}, hrTime(s.startedAt));
    if (s.cache === 'hit' || s.cache === 'stale') call.addEvent(`resilience.cache.${s.cache}`, {}, hrTime(s.startedAt));
    if (s.outcome === 'fallback') call.addEvent('resilience.fallback', {}, hrTime(s.startedAt + s.durationMs));
    const url = redactedUrl(target, s.path, rules);
    const parent = trace.setSpan(ROOT_CONTEXT, call);
    for (const a of s.attempts) {
      if (a.delayBeforeMs > 0) {
        call.addEvent(
          'resilience.retry',
          {
            'resilience.attempt': a.number,
            'resilience.delay_ms': a.delayBeforeMs,
            'resilience.delay_reason': a.delayReason ?? 'backoff',
          },
          hrTime(a.startedAt - a.delayBeforeMs),
        );
      }
      const attemptAttributes: Attributes = {
        'http.request.method': s.method,
        'url.full': url,
        'url.template': s.route,
        ...server,
      };
      if (a.number > 1) attemptAttributes['http.request.resend_count'] = a.number - 1;
      if (a.status !== undefined) attemptAttributes['http.response.status_code'] = a.status;
      // HTTP semantic conventions: on a CLIENT span every 4xx and 5xx is an error, named by its status code.
      const error = a.status !== undefined && a.status >= 400 ? String(a.status) : a.errorType;
      if (error !== undefined) attemptAttributes['error.type'] = error;
      if (a.hedged) attemptAttributes['breakwater.hedged'] = true;
      // Envoy's retry buffer overflow: the body was streamed, so this attempt could be the only one.
      if (a.requestBodyStreamed) attemptAttributes['breakwater.request_body_streamed'] = true;
      const span = this.startWithIds(
        { traceId: s.trace.traceId, spanId: a.spanId, flags: s.trace.flags },
        s.method,
        { kind: SpanKind.CLIENT, startTime: hrTime(a.startedAt), attributes: attemptAttributes },
        parent,
      );
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(hrTime(a.startedAt + a.durationMs));
    }
    if (failed) call.setStatus({ code: SpanStatusCode.ERROR, message: s.errorType ?? s.outcome });
    call.end(hrTime(s.startedAt + s.durationMs));
  }

  /**
   * The SERVER span of one gateway request, after the fact: its ids are those the request handed to the
   * client as its incoming context, so the call span is its child. Only a 5xx is an error on a SERVER span.
   */
  recordServer(context: TraceContext, request: GatewaySpanRequest): void {
    const attributes: Attributes = {
      'http.request.method': request.method,
      'http.route': request.route,
      'http.response.status_code': request.status,
      'url.scheme': request.scheme ?? 'http',
      'breakwater.integration': request.integration,
      'breakwater.request_id': request.requestId,
    };
    if (request.status >= 500) attributes['error.type'] = request.errorType ?? String(request.status);
    const span = this.startWithIds(
      context,
      `${request.method} ${request.route}`,
      { kind: SpanKind.SERVER, startTime: hrTime(request.startedAt), attributes },
      remoteParent(context),
    );
    if (request.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(hrTime(request.startedAt + request.durationMs));
  }

  /** Starts a span with `ids.spanId` (and, for a root, `ids.traceId`): the ids the wire already carried. */
  private startWithIds(
    ids: TraceContext,
    name: string,
    options: { kind: SpanKind; startTime: HrTime; attributes: Attributes },
    parent: Context,
  ): OtelSpan {
    if (this.ids) {
      this.ids.nextTraceId = ids.traceId;
      this.ids.nextSpanId = ids.spanId;
    }
    const span = this.tracer.startSpan(name, options, parent);
    if (this.ids) this.ids.nextTraceId = this.ids.nextSpanId = undefined;
    return span;
  }
}

/** What the gateway knows of one request once it has answered, for its SERVER span. */
export interface GatewaySpanRequest {
  method: string;
  /** The route template, e.g. `/api/gw/{integration}/{path}`. */
  route: string;
  integration: string;
  status: number;
  requestId: string;
  /** Epoch ms. */
  startedAt: number;
  durationMs: number;
  /** What made a 5xx answer, e.g. the client's `errorType` (`timeout_overall`); else the status code names it. */
  errorType?: string;
  /** `http` unless the request came over TLS. */
  scheme?: 'http' | 'https';
}

/** The caller's span as a remote parent, with its tracestate; a root when the caller sent no context. */
function remoteParent(context: TraceContext): Context {
  if (context.parentSpanId === undefined) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: context.traceId,
    spanId: context.parentSpanId,
    traceFlags: Number.parseInt(context.flags, 16),
    isRemote: true,
    traceState: context.tracestate === undefined ? undefined : createTraceState(context.tracestate),
  });
}

export interface OtelHandle {
  spans?: CallSpans;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK when an OTLP endpoint is configured; otherwise nothing is created and
 * the call path builds no span objects. The resource comes from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES
 * over the defaults `service.name=breakwater` and `service.instance.id=<recorder instance>`.
 */
export function startOtel(
  instanceId: string,
  registry: MetricsRegistry,
  drops: () => DropStats,
  env: Env = process.env,
): OtelHandle | undefined {
  const signals = otlpSignals(env);
  if (!signals.traces && !signals.metrics) return undefined;
  const ids = new TraceparentIds();
  const metricReaders = [];
  if (signals.metrics) {
    const exporter = protocolOf(env, 'METRICS') === 'http/json' ? new JsonMetricExporter() : new ProtoMetricExporter();
    const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL) > 0 ? Number(env.OTEL_METRIC_EXPORT_INTERVAL) : 60_000;
    const timeout = Number(env.OTEL_METRIC_EXPORT_TIMEOUT) > 0 ? Number(env.OTEL_METRIC_EXPORT_TIMEOUT) : 30_000;
    metricReaders.push(
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(timeout, interval),
        metricProducers: [new RegistryMetricProducer(registry, drops)],
      }),
    );
  }
  const spanProcessors: SpanProcessor[] = [];
  if (signals.traces) {
    const exporter = protocolOf(env, 'TRACES') === 'http/json' ? new JsonTraceExporter() : new ProtoTraceExporter();
    spanProcessors.push(new OwnSpansOnly(new BatchSpanProcessor(exporter)));
  }
  const sdk = new NodeSDK({
    resource: defaultResource().merge(
      resourceFromAttributes({ 'service.name': 'breakwater', 'service.instance.id': instanceId }),
    ),
    metricReaders,
    spanProcessors,
    idGenerator: ids,
    logRecordProcessors: [],
    instrumentations: [],
    textMapPropagator: null,
  });
  sdk.start();
  return {
    spans: signals.traces ? new CallSpans(trace.getTracer(SCOPE), ids) : undefined,
    // Unregister the globals too, so a later start (a test, a restart in-process) can register again.
    shutdown: () =>
      sdk.shutdown().finally(() => {
        trace.disable();
        metrics.disable();
      }),
  };
}
