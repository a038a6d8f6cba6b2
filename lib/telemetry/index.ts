import { getDb } from '@/lib/db';
import { log } from '@/lib/logging';
import { existingSingleton } from '@/lib/server/singleton';
import type { ConfigFreshness, SharedStateHealth } from './metrics';
import { startOtel } from './otel';
import { renderPrometheus } from './prometheus';
import { retentionFromEnv, scheduleRetention } from './retention';
import { existingRecorder, getRecorder, type TelemetryState, telemetryState } from './state';

export { REDACTED, type RedactionRules, redactBody, redactHeaders } from '@/lib/redaction';
export { type GatewayTrace, gatewayTrace, recordGatewaySpan } from './gateway-trace';
export { attachTelemetry, type ListenerOptions } from './listener';
export { type ConfigFreshness, DURATION_BOUNDARIES_S, MetricsRegistry, type SharedStateHealth } from './metrics';
export { type GatewaySpanRequest, otlpSignals, startOtel } from './otel';
export { prometheusFamily, renderPrometheus } from './prometheus';
export { type CallDetail, type RecorderOptions, type RecorderStats, TelemetryRecorder } from './recorder';
export { applyRetention, type RetentionOptions, type RetentionResult, retentionFromEnv } from './retention';
export { getRecorder, type TelemetryState, telemetryState } from './state';

/**
 * Server start: the recorder, the OpenTelemetry SDK (only when an OTLP endpoint is configured) and the
 * retention schedule. Idempotent.
 */
export function startTelemetry(): void {
  const recorder = getRecorder();
  const state = telemetryState();
  if (!state.stopRetention) {
    state.otel = startOtel(recorder.instance, state.registry, () => recorder.stats);
    if (state.otel) log.info('OpenTelemetry export started (OTLP endpoint configured)');
    state.stopRetention = scheduleRetention(getDb(), retentionFromEnv(), (error) =>
      log.warn({ err: error }, 'telemetry retention failed; it runs again on schedule'),
    );
  }
}

/** Prometheus text of this process's metrics of one workspace (by slug), for GET /api/metrics. */
export function metricsText(workspace: string): string {
  const state = telemetryState();
  return renderPrometheus(
    state.registry,
    getRecorder().stats,
    state.configFreshness?.(),
    { workspace },
    state.sharedStateHealth?.(),
  );
}

/**
 * The limits (calls per minute, by integration slug) the upstreams of a workspace (by slug) last announced to
 * this process: the overview sets them against the configured ones.
 */
export function announcedRateLimits(workspace: string): Map<string, number> {
  const limits = new Map<string, number>();
  for (const m of telemetryState().registry.integrations.values())
    if (m.workspace === workspace && m.upstreamLimitPerMinute !== undefined)
      limits.set(m.integration, m.upstreamLimitPerMinute);
  return limits;
}

/** Where /api/metrics reads the data plane's configuration freshness from (lib/server/config.ts). */
export function reportConfigFreshness(read: () => ConfigFreshness): void {
  telemetryState().configFreshness = read;
}

/** Where /api/metrics reads the Redis link's health from (lib/server/start.ts, when REDIS_URL is set). */
export function reportSharedStateHealth(read: () => SharedStateHealth): void {
  telemetryState().sharedStateHealth = read;
}

/** Flushes what is buffered (rollups, call log, spans, metrics); called on SIGTERM so nothing is lost. */
export async function flushTelemetry(): Promise<void> {
  const state = existingSingleton<TelemetryState>('telemetry');
  state?.stopRetention?.();
  await existingRecorder()?.stop();
  await state?.otel?.shutdown().catch((error) => log.warn({ err: error }, 'OpenTelemetry shutdown failed'));
}
