import { createDb, databaseUrl } from '@/lib/db';
import { setting } from '@/lib/server/env';
import { existingSingleton, processSingleton } from '@/lib/server/singleton';
import { type ConfigFreshness, MetricsRegistry, type SharedStateHealth } from './metrics';
import type { OtelHandle } from './otel';
import { TelemetryRecorder } from './recorder';

/** Process-wide telemetry state (see processSingleton for why it is not module state). */
export interface TelemetryState {
  registry: MetricsRegistry;
  otel?: OtelHandle;
  stopRetention?: () => void;
  /** set by lib/server/config.ts: how fresh the data plane's in-memory configuration is */
  configFreshness?: () => ConfigFreshness;
  sharedStateHealth?: () => SharedStateHealth;
}

export function telemetryState(): TelemetryState {
  return processSingleton('telemetry', () => ({ registry: new MetricsRegistry() }));
}

/** The process-wide recorder. */
export function getRecorder(): TelemetryRecorder {
  // Its own client. On SQLite the flushes are committed by that client's writer thread (lib/db
  // sqlite-writer.ts, off the event loop); the short lock wait bounds anything else done on the client itself.
  const journalDir = setting('BREAKWATER_TELEMETRY_JOURNAL_DIR');
  const instance = setting('BREAKWATER_INSTANCE_ID') || undefined;
  return processSingleton('recorder', () =>
    new TelemetryRecorder(createDb(databaseUrl(), { sqliteBusyTimeoutMs: 50 }), {
      flushIntervalMs: setting('BREAKWATER_FLUSH_INTERVAL_MS'),
      successesKeptPerSecond: setting('BREAKWATER_SUCCESSES_KEPT_PER_SECOND'),
      slowCallMs: setting('BREAKWATER_SLOW_CALL_MS'),
      maxPendingCalls: setting('BREAKWATER_MAX_PENDING_CALLS'),
      // the instance's name in rollups, breaker events, heartbeats and the alert evaluator lease
      instance,
      // Only an instance that restarts under the same name replays its journal: without a stable
      // BREAKWATER_INSTANCE_ID (the default name is new at every start) a journal would cost a write per call
      // and never be read.
      journalDir: journalDir === 'off' || instance === undefined ? undefined : journalDir,
    }).start(),
  );
}

/** The recorder if this process started one (flushing at exit must not create one). */
export function existingRecorder(): TelemetryRecorder | undefined {
  return existingSingleton('recorder');
}
