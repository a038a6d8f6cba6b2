import {
  addRollupCounters,
  type Db,
  emptyRollupCounters,
  HOUR_SECONDS,
  LatencyHistogram,
  type RollupCounters,
  type RollupKey,
} from '@/lib/db';
import { setting } from '@/lib/server/env';

const DAY_MS = 86_400_000;
const HOUR_MS = HOUR_SECONDS * 1000;
/** Minute rows handled per transaction, so a long backlog never holds the database for long. */
const CHUNK_ROWS = 5000;

export interface RetentionOptions {
  callLogDays: number;
  /** rollups narrower than an hour: merged into hourly rollups after this */
  minuteRollupDays: number;
  hourlyRollupDays: number;
  breakerEventDays: number;
  intervalMs: number;
}

export const DEFAULT_RETENTION: RetentionOptions = {
  callLogDays: 7,
  minuteRollupDays: 7,
  hourlyRollupDays: 90,
  breakerEventDays: 90,
  intervalMs: 10 * 60_000,
};

export function retentionFromEnv(env: Record<string, string | undefined> = process.env): RetentionOptions {
  return {
    callLogDays: setting('BREAKWATER_RETENTION_CALL_LOG_DAYS', env),
    minuteRollupDays: setting('BREAKWATER_RETENTION_MINUTE_ROLLUP_DAYS', env),
    hourlyRollupDays: setting('BREAKWATER_RETENTION_HOURLY_ROLLUP_DAYS', env),
    breakerEventDays: setting('BREAKWATER_RETENTION_BREAKER_EVENT_DAYS', env),
    intervalMs: setting('BREAKWATER_RETENTION_INTERVAL_MS', env),
  };
}

export interface RetentionResult {
  minuteRowsMerged: number;
  hourlyRowsWritten: number;
  hourlyRowsDeleted: number;
  callsDeleted: number;
  breakerEventsDeleted: number;
  usageRowsDeleted: number;
}

type MinuteRow = Awaited<ReturnType<Db['metricRollup']['findMany']>>[number];

interface HourGroup {
  key: RollupKey;
  rows: MinuteRow[];
}

type StoredCounters = RollupCounters & { latencyHist: string; attemptHist: string };

function mergeRows(rows: StoredCounters[]): StoredCounters {
  const histogram = new LatencyHistogram();
  const attemptHistogram = new LatencyHistogram();
  const merged = emptyRollupCounters();
  for (const r of rows) {
    addRollupCounters(merged, r);
    histogram.merge(JSON.parse(r.latencyHist));
    attemptHistogram.merge(JSON.parse(r.attemptHist));
  }
  return { ...merged, latencyHist: JSON.stringify(histogram), attemptHist: JSON.stringify(attemptHistogram) };
}

/**
 * Merges minute rollups older than `minuteRollupDays` into hourly ones. The recorder already keeps an
 * hourly row beside the minute rows it writes; when that row holds at least the minutes' count it is
 * complete and the minutes are simply deleted, otherwise (written by an older build, or its writes were
 * dropped) the hourly row is rebuilt from the minutes. Each chunk is one transaction: never counted twice.
 */
async function downsample(db: Db, cutoff: Date, result: RetentionResult): Promise<void> {
  // Whole hours only, so an hour is never split between the two resolutions.
  const before = new Date(Math.floor(cutoff.getTime() / HOUR_MS) * HOUR_MS);
  for (;;) {
    const rows = await db.metricRollup.findMany({
      where: { bucketSeconds: { lt: HOUR_SECONDS }, bucketStart: { lt: before } },
      orderBy: { bucketStart: 'asc' },
      take: CHUNK_ROWS,
    });
    if (rows.length === 0) return;
    const groups = new Map<string, HourGroup>();
    for (const r of rows) {
      const hour = Math.floor(r.bucketStart.getTime() / HOUR_MS) * HOUR_MS;
      const id = `${hour}\u0000${r.integrationId}\u0000${r.route}\u0000${r.outcomeClass}\u0000${r.instance}\u0000${r.environment}`;
      let group = groups.get(id);
      if (!group) {
        group = {
          key: {
            bucketStart: new Date(hour),
            bucketSeconds: HOUR_SECONDS,
            integrationId: r.integrationId,
            route: r.route,
            outcomeClass: r.outcomeClass,
            instance: r.instance,
            environment: r.environment,
          },
          rows: [],
        };
        groups.set(id, group);
      }
      group.rows.push(r);
    }
    await db.$transaction(async (tx) => {
      for (const group of groups.values()) {
        // A chunk may end inside an hour: take that hour's remaining minutes too, so the comparison below
        // sees the whole hour.
        const hourEnd = new Date(group.key.bucketStart.getTime() + HOUR_MS);
        const minutes = await tx.metricRollup.findMany({
          where: {
            bucketSeconds: { lt: HOUR_SECONDS },
            bucketStart: { gte: group.key.bucketStart, lt: hourEnd },
            integrationId: group.key.integrationId,
            route: group.key.route,
            outcomeClass: group.key.outcomeClass,
            instance: group.key.instance,
            environment: group.key.environment,
          },
        });
        if (minutes.length === 0) continue;
        const merged = mergeRows(minutes);
        const existing = await tx.metricRollup.findUnique({
          where: { bucketStart_bucketSeconds_integrationId_route_outcomeClass_instance_environment: group.key },
          select: { count: true },
        });
        if (!existing || existing.count < merged.count) {
          await tx.metricRollup.upsert({
            where: { bucketStart_bucketSeconds_integrationId_route_outcomeClass_instance_environment: group.key },
            create: { ...group.key, ...merged },
            update: merged,
          });
          result.hourlyRowsWritten++;
        }
        await tx.metricRollup.deleteMany({ where: { id: { in: minutes.map((m) => m.id) } } });
        result.minuteRowsMerged += minutes.length;
      }
    });
  }
}

/** One retention pass: downsample, then delete what is past its retention. */
export async function applyRetention(
  db: Db,
  options: RetentionOptions = DEFAULT_RETENTION,
  now = new Date(),
): Promise<RetentionResult> {
  const result: RetentionResult = {
    minuteRowsMerged: 0,
    hourlyRowsWritten: 0,
    hourlyRowsDeleted: 0,
    callsDeleted: 0,
    breakerEventsDeleted: 0,
    usageRowsDeleted: 0,
  };
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
  await downsample(db, ago(options.minuteRollupDays), result);
  result.hourlyRowsDeleted = (
    await db.metricRollup.deleteMany({
      where: { bucketSeconds: { gte: HOUR_SECONDS }, bucketStart: { lt: ago(options.hourlyRollupDays) } },
    })
  ).count;
  const oldCalls = { startedAt: { lt: ago(options.callLogDays) } };
  await db.callAttempt.deleteMany({ where: { call: oldCalls } });
  result.callsDeleted = (await db.callLog.deleteMany({ where: oldCalls })).count;
  result.breakerEventsDeleted = (
    await db.breakerEvent.deleteMany({ where: { at: { lt: ago(options.breakerEventDays) } } })
  ).count;
  // Usage (billable attempts) is kept as long as hourly rollups, in whole UTC months: a month's cost and
  // chargeback export are never computed from part of it.
  const usageFrom = ago(options.hourlyRollupDays);
  result.usageRowsDeleted = (
    await db.usageRollup.deleteMany({
      where: { bucketStart: { lt: new Date(Date.UTC(usageFrom.getUTCFullYear(), usageFrom.getUTCMonth(), 1)) } },
    })
  ).count;
  return result;
}

/** Runs retention now and then every `intervalMs` on an unref'd timer; returns a stop function. */
export function scheduleRetention(db: Db, options: RetentionOptions, onError: (error: unknown) => void): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    applyRetention(db, options)
      .catch(onError)
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(run, 1000);
  first.unref();
  const timer = setInterval(run, options.intervalMs);
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
