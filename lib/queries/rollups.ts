import type { Db } from '@/lib/db';

/** Rollups are written at two widths at once (lib/telemetry): one minute, and one hour for long ranges. */
export const MINUTE_SECONDS = 60;
export const HOUR_SECONDS = 3600;
const HOUR_MS = HOUR_SECONDS * 1000;

export interface RollupRow {
  bucketStart: Date;
  bucketSeconds: number;
  integrationId: string;
  outcomeClass: string;
  count: number;
  retries: number;
  cacheHits: number;
  cacheMisses: number;
  rateLimitWaits: number;
  rateLimitRejections: number;
  latencyHist: string;
}

const SELECT = {
  bucketStart: true,
  bucketSeconds: true,
  integrationId: true,
  outcomeClass: true,
  count: true,
  retries: true,
  cacheHits: true,
  cacheMisses: true,
  rateLimitWaits: true,
  rateLimitRejections: true,
  latencyHist: true,
} as const;

/**
 * Rollup rows covering [from, to) exactly once. With `hourly`, whole hours come from the hourly rows and
 * only the partial hours at the edges from minute rows, so a day is ~24 rows per series instead of 1440.
 * Minute rows older than their retention have been merged into hourly rows; edges that old read nothing.
 */
export async function readRollups(
  db: Db,
  range: { from: Date; to: Date; integrationId?: string },
  hourly: boolean,
): Promise<RollupRow[]> {
  const integration = range.integrationId === undefined ? {} : { integrationId: range.integrationId };
  const minutes = (gte: Date, lt: Date) =>
    db.metricRollup.findMany({
      where: { ...integration, bucketSeconds: { lt: HOUR_SECONDS }, bucketStart: { gte, lt } },
      select: SELECT,
    });
  if (!hourly) return minutes(range.from, range.to);
  const firstHour = new Date(Math.ceil(range.from.getTime() / HOUR_MS) * HOUR_MS);
  // A range that ends now reads the current hour's row, which the recorder keeps up to date.
  const live = range.to.getTime() >= Date.now() - 60_000;
  const lastHour = new Date(Math.floor(range.to.getTime() / HOUR_MS) * HOUR_MS + (live ? HOUR_MS : 0));
  if (firstHour >= lastHour) return minutes(range.from, range.to);
  const parts = await Promise.all([
    firstHour > range.from ? minutes(range.from, firstHour) : [],
    db.metricRollup.findMany({
      where: { ...integration, bucketSeconds: HOUR_SECONDS, bucketStart: { gte: firstHour, lt: lastHour } },
      select: SELECT,
    }),
    lastHour < range.to && !live ? minutes(lastHour, range.to) : [],
  ]);
  return parts.flat();
}
