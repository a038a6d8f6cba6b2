import { createDb, databaseUrl, getDb } from '@/lib/db';
import { log } from '@/lib/logging';
import { MetricsRegistry } from './metrics';
import { type OtelHandle, startOtel } from './otel';
import { renderPrometheus } from './prometheus';
import { TelemetryRecorder } from './recorder';
import { retentionFromEnv, scheduleRetention } from './retention';

export { REDACTED, type RedactionRules, redactBody, redactHeaders } from '@/lib/redaction';
export { attachTelemetry, callListener, type ListenerOptions } from './listener';
export { DURATION_BOUNDARIES_S, MetricsRegistry } from './metrics';
export { otlpSignals, startOtel } from './otel';
export { renderPrometheus } from './prometheus';
export { type CallDetail, type RecorderOptions, type RecorderStats, TelemetryRecorder } from './recorder';
export { applyRetention, type RetentionOptions, type RetentionResult, retentionFromEnv } from './retention';

/** Process-wide telemetry state. On globalThis: Next duplicates module singletons across bundles. */
interface TelemetryState {
  registry: MetricsRegistry;
  otel?: OtelHandle;
  stopRetention?: () => void;
}

const shared = globalThis as typeof globalThis & {
  __breakwaterRecorder?: TelemetryRecorder;
  __breakwaterTelemetry?: TelemetryState;
};

export function telemetryState(): TelemetryState {
  shared.__breakwaterTelemetry ??= { registry: new MetricsRegistry() };
  return shared.__breakwaterTelemetry;
}

function numberFromEnv(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

/** The process-wide recorder. */
export function getRecorder(): TelemetryRecorder {
  // Its own connection with a short lock wait: a locked SQLite file must not block the event loop for
  // seconds on every flush (failed flushes are retried and counted instead).
  shared.__breakwaterRecorder ??= new TelemetryRecorder(createDb(databaseUrl(), { sqliteBusyTimeoutMs: 50 }), {
    flushIntervalMs: numberFromEnv('BREAKWATER_FLUSH_INTERVAL_MS'),
    successesKeptPerSecond: numberFromEnv('BREAKWATER_SUCCESSES_KEPT_PER_SECOND'),
    slowCallMs: numberFromEnv('BREAKWATER_SLOW_CALL_MS'),
    maxPendingCalls: numberFromEnv('BREAKWATER_MAX_PENDING_CALLS'),
  }).start();
  return shared.__breakwaterRecorder;
}

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

/** Prometheus text of this process's metrics, for GET /api/metrics. */
export function metricsText(): string {
  return renderPrometheus(telemetryState().registry, getRecorder().stats);
}

/** Flushes what is buffered (rollups, call log, spans, metrics); called on SIGTERM so nothing is lost. */
export async function flushTelemetry(): Promise<void> {
  const state = shared.__breakwaterTelemetry;
  state?.stopRetention?.();
  await shared.__breakwaterRecorder?.stop();
  await state?.otel?.shutdown().catch((error) => log.warn({ err: error }, 'OpenTelemetry shutdown failed'));
}
