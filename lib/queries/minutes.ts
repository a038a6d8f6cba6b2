import { type Db, MINUTE_SECONDS } from '@/lib/db';
import { type BucketAggregate, readAggregates } from './rollups';

const MINUTE_MS = MINUTE_SECONDS * 1000;
/**
 * A minute's rows are final once no instance can still write them: a call is recorded when it ends (the
 * overall deadline bounds that), buckets are flushed within seconds and retried for at most 10 minutes
 * while the database is unavailable (lib/telemetry recorder).
 */
const MINUTE_FINAL_AFTER_MS = 15 * 60_000;
/** The longest window read from minute rollups (6 h), and a little more. */
const CACHED_MINUTES = 6 * 60 + 30;

const finalMinutes = new WeakMap<Db, Map<number, BucketAggregate[]>>();

function cacheOf(db: Db): Map<number, BucketAggregate[]> {
  let cache = finalMinutes.get(db);
  if (!cache) {
    cache = new Map();
    finalMinutes.set(db, cache);
  }
  return cache;
}

/**
 * readAggregates over minute rollups (all integrations) with final minutes parsed once and kept, as
 * readAggregates keeps final hours: the overview refreshes every 5 s over up to 6 h of minutes, of which
 * only the last quarter hour can still change.
 */
export async function readMinuteAggregates(db: Db, range: { from: Date; to: Date }): Promise<BucketAggregate[]> {
  const cache = cacheOf(db);
  const first = Math.ceil(range.from.getTime() / MINUTE_MS) * MINUTE_MS;
  const finalBefore = Math.floor((Date.now() - MINUTE_FINAL_AFTER_MS) / MINUTE_MS) * MINUTE_MS;
  const split = Math.max(first, Math.min(finalBefore, range.to.getTime()));
  let missingFrom = Number.POSITIVE_INFINITY;
  let missingTo = Number.NEGATIVE_INFINITY;
  for (let minute = first; minute < split; minute += MINUTE_MS) {
    if (cache.has(minute)) continue;
    missingFrom = Math.min(missingFrom, minute);
    missingTo = minute + MINUTE_MS;
  }
  const [missing, live] = await Promise.all([
    missingFrom < missingTo
      ? readAggregates(db, { from: new Date(missingFrom), to: new Date(missingTo) }, MINUTE_SECONDS)
      : [],
    split < range.to.getTime() ? readAggregates(db, { from: new Date(split), to: range.to }, MINUTE_SECONDS) : [],
  ]);
  const read = new Map<number, BucketAggregate[]>();
  for (let minute = missingFrom; minute < missingTo; minute += MINUTE_MS) read.set(minute, []);
  for (const entry of missing) read.get(Math.floor(entry.bucketStart / MINUTE_MS) * MINUTE_MS)?.push(entry);
  for (const [minute, entries] of read) {
    cache.delete(minute);
    cache.set(minute, entries);
  }
  while (cache.size > CACHED_MINUTES) cache.delete(cache.keys().next().value!);
  const out: BucketAggregate[] = [...live];
  for (let minute = first; minute < split; minute += MINUTE_MS)
    out.push(...(read.get(minute) ?? cache.get(minute) ?? []));
  return out;
}
