import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBackgroundDb, getDb } from '@/lib/db';
import { log } from '@/lib/logging';
import { listInstances } from '@/lib/queries';
import { getRecorder } from '@/lib/telemetry';
import { setting } from './env';
import { processSingleton } from './singleton';

/** Missed heartbeats after which an instance shows as stopped. */
export const STALE_AFTER_HEARTBEATS = 3;
/** Stopped instances stay listed this long, then disappear from the page (their row is deleted). */
const KEEP_STOPPED_MS = 60 * 60_000;

/** The package's version, as the server was started from its directory (`npm start`, server.ts). */
function appVersion(): string {
  try {
    return JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

interface HeartbeatState {
  timer?: NodeJS.Timeout;
  startedAt: Date;
  /** set by the shared-state client: true while Redis is unreachable and this instance runs on local state */
  sharedStateDegraded: () => boolean;
}

function heartbeatState(): HeartbeatState {
  return processSingleton('heartbeat', () => ({ startedAt: new Date(), sharedStateDegraded: () => false }));
}

/** Where the heartbeat reads whether this instance's shared state (Redis) is degraded to local state. */
export function reportSharedStateDegraded(read: () => boolean): void {
  heartbeatState().sharedStateDegraded = read;
}

/**
 * Server start: every BREAKWATER_HEARTBEAT_MS this instance rewrites its ServiceInstance row (id, version,
 * start, calls/s since the last beat, recorder drops, Redis degraded) and prunes rows of instances stopped
 * for an hour. A failed beat is logged and the next one tries again. Idempotent.
 */
export function startHeartbeat(): void {
  const state = heartbeatState();
  if (state.timer) return;
  const db = getBackgroundDb();
  const recorder = getRecorder();
  const everyMs = setting('BREAKWATER_HEARTBEAT_MS');
  const version = appVersion();
  let last = { at: Date.now(), calls: recorder.stats.recordedCalls };
  const beat = async () => {
    const now = new Date();
    const { stats } = recorder;
    const seconds = Math.max((now.getTime() - last.at) / 1000, 0.001);
    const data = {
      version,
      // a restart under the same BREAKWATER_INSTANCE_ID shows its new start
      startedAt: state.startedAt,
      heartbeatAt: now,
      callsPerSecond: Math.round(((stats.recordedCalls - last.calls) / seconds) * 10) / 10,
      recorderDrops: stats.droppedCallLogRows + stats.droppedRollups + stats.droppedBreakerEvents,
      redisDegraded: state.sharedStateDegraded(),
    };
    last = { at: now.getTime(), calls: stats.recordedCalls };
    try {
      await db.serviceInstance.upsert({
        where: { id: recorder.instance },
        create: { id: recorder.instance, ...data },
        update: data,
      });
      await db.serviceInstance.deleteMany({
        where: { heartbeatAt: { lt: new Date(now.getTime() - KEEP_STOPPED_MS) } },
      });
    } catch (error) {
      log.warn({ err: error }, 'instance heartbeat not written; the next one tries again');
    }
  };
  state.timer = setInterval(beat, everyMs);
  state.timer.unref();
  void beat();
}

/** The instances the dashboard lists: every one heartbeating within the hour, stopped ones marked. */
export function clusterInstances(now: Date = new Date()) {
  const staleAfterMs = STALE_AFTER_HEARTBEATS * setting('BREAKWATER_HEARTBEAT_MS');
  return listInstances(getDb(), { now, staleAfterMs, keepSinceMs: KEEP_STOPPED_MS });
}
