import { getDb } from '@/lib/db';
import type { RedactionRules } from '@/lib/redaction';
import type { EventBus, ResilienceEvent } from '@/lib/resilience';
import { DEFAULT_WORKSPACE_SLUG, type IntegrationMetrics, type Target } from './metrics';
import { getRecorder, telemetryState } from './state';

export interface ListenerOptions {
  /** the upstream origin, for `server.address`/`server.port`; looked up from the integration when absent */
  origin?: string;
  /** the integration's environment the client calls: production (default) | sandbox */
  environment?: string;
  /** the credential a call used when it was not resent with the secondary (ResilientRequest.reauthorize) */
  credential?: () => string | undefined;
  /**
   * Names a second client recorded under the same integration (its OAuth2 token endpoint): its breaker
   * transitions are stored with a reason starting `<scope>: `, so they are told apart from the upstream's.
   */
  breakerScope?: string;
  /** the workspace's slug: the `workspace` label of every series and attribute of every span and metric */
  workspace?: string;
}

export function targetOf(origin: string): Target | undefined {
  try {
    const url = new URL(origin);
    const scheme = url.protocol.slice(0, -1);
    return { scheme, address: url.hostname, port: Number(url.port) || (scheme === 'https' ? 443 : 80) };
  } catch {
    return undefined;
  }
}

/**
 * What the telemetry layer does with one integration's client events: the single place the client's
 * events enter telemetry, subscribed by attachTelemetry. Everything is derived from `call.end` (it carries every attempt) and breaker
 * transitions, so the other event types cost nothing here: rollups and call log (recorder), live metrics
 * (registry) and, only when an OTLP exporter is configured, spans built after the fact.
 */
function callListener(
  integrationId: string,
  redaction: () => RedactionRules,
  options: ListenerOptions = {},
): (event: ResilienceEvent) => void {
  const recorder = getRecorder();
  const state = telemetryState();
  let metrics: IntegrationMetrics | undefined;
  const workspace = options.workspace ?? DEFAULT_WORKSPACE_SLUG;
  let target = options.origin ? targetOf(options.origin) : undefined;
  if (!target) {
    void getDb()
      .integration.findUnique({ where: { id: integrationId }, select: { baseUrl: true } })
      .then((row) => {
        target = row ? targetOf(row.baseUrl) : undefined;
      })
      .catch(() => undefined);
  }
  return (event) => {
    if (event.type === 'call.end') {
      const s = event.summary;
      if (!metrics) {
        metrics = state.registry.forIntegration(s.integration, workspace);
        metrics.environment = options.environment ?? 'production';
      }
      if (!metrics.target && target) metrics.target = target;
      const rules = redaction();
      recorder.record(integrationId, s, {
        redaction: rules,
        requestBody: s.requestBody,
        responseBody: s.responseBody,
        replayOfId: s.tags?.replayOfId,
        environment: options.environment,
        credential: s.tags?.credential ?? options.credential?.(),
        caller: s.tags?.caller,
      });
      metrics.recordCall(s);
      state.otel?.spans?.record(s.integration, s, target, rules, workspace);
    } else if (event.type === 'breaker.transition') {
      const { breakerScope } = options;
      recorder.recordBreakerTransition(
        integrationId,
        breakerScope ? { ...event, reason: `${breakerScope}: ${event.reason}` } : event,
      );
      if (!metrics) metrics = state.registry.forIntegration(event.integration, workspace);
      metrics.recordTransition(event.from, event.to);
    }
  };
}

/**
 * Subscribes telemetry to only the two event types it reads, so the client builds no other event object
 * for it (an `onEvent` subscriber would receive every type). The one way telemetry is attached to a client.
 */
export function attachTelemetry(
  events: EventBus,
  integrationId: string,
  redaction: () => RedactionRules,
  options: ListenerOptions = {},
): () => void {
  const listener = callListener(integrationId, redaction, options);
  const offCalls = events.on('call.end', listener);
  const offBreaker = events.on('breaker.transition', listener);
  return () => {
    offCalls();
    offBreaker();
  };
}
