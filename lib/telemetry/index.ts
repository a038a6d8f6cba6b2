import { getDb } from '@/lib/db';
import { TelemetryRecorder } from './recorder';

export { type CallDetail, type RecorderOptions, type RecorderStats, TelemetryRecorder } from './recorder';
export { ALWAYS_REDACTED_HEADERS, REDACTED, type RedactionRules, redactBody, redactHeaders } from './redact';

const shared = globalThis as typeof globalThis & { __breakwaterRecorder?: TelemetryRecorder };

function numberFromEnv(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

/** The process-wide recorder (on globalThis: Next duplicates module singletons across bundles). */
export function getRecorder(): TelemetryRecorder {
  shared.__breakwaterRecorder ??= new TelemetryRecorder(getDb(), {
    flushIntervalMs: numberFromEnv('BREAKWATER_FLUSH_INTERVAL_MS'),
    successesKeptPerSecond: numberFromEnv('BREAKWATER_SUCCESSES_KEPT_PER_SECOND'),
    slowCallMs: numberFromEnv('BREAKWATER_SLOW_CALL_MS'),
  }).start();
  return shared.__breakwaterRecorder;
}

/** Flushes what is buffered; called on SIGTERM so no recorded call is lost at shutdown. */
export async function flushTelemetry(): Promise<void> {
  await shared.__breakwaterRecorder?.stop();
}
export { callListener } from './listener';
