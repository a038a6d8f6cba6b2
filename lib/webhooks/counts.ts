import type { Db } from '@/lib/db';
import { log } from '@/lib/logging';
import { stepFor } from '@/lib/queries';
import { setting } from '@/lib/server/env';
import { existingSingleton, processSingleton } from '@/lib/server/singleton';
import { OUTCOMES, type Outcome } from './schema';

const MINUTE_MS = 60_000;

export const minuteOf = (at: Date) => new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);

interface PendingCount {
  sourceId: string;
  bucket: Date;
  outcome: Outcome;
  count: number;
}

/**
 * Counts are added up in memory and written once a second (BREAKWATER_FLUSH_INTERVAL_MS), all in one
 * transaction, as the telemetry recorder writes rollups: receiving a delivery, and above all refusing a
 * forged one, costs no database write of its own (a flood of bad signatures cannot become a flood of
 * writes). Reads flush first, so this instance's counts are always current; a batch that fails to write is
 * kept and tried again.
 */
class OutcomeCounter {
  private pending = new Map<string, PendingCount>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly intervalMs: number,
  ) {}

  add(sourceId: string, outcome: Outcome, at: Date): void {
    this.merge({ sourceId, bucket: minuteOf(at), outcome, count: 1 });
    this.schedule();
  }

  private merge(entry: PendingCount): void {
    const key = `${entry.sourceId}\u0000${entry.bucket.getTime()}\u0000${entry.outcome}`;
    const pending = this.pending.get(key);
    if (pending) pending.count += entry.count;
    else this.pending.set(key, { ...entry });
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error) => log.warn({ err: error }, 'webhook counts not written; trying again'));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Writes what is pending (after any write in flight), so a read that follows sees every count. */
  flush(): Promise<void> {
    this.writing = this.writing.catch(() => undefined).then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      // A native upsert with an increment is exact under concurrency; two instances inserting the same
      // minute's first row can still race, and then this batch is tried again (the row exists by then).
      await this.db.$transaction(
        batch.map(({ sourceId, bucket, outcome, count }) =>
          this.db.webhookCount.upsert({
            where: { sourceId_bucket_outcome: { sourceId, bucket, outcome } },
            create: { sourceId, bucket, outcome, count },
            update: { count: { increment: count } },
          }),
        ),
      );
    } catch (error) {
      for (const entry of batch) this.merge(entry);
      this.schedule();
      throw error;
    }
  }
}

function counterFor(db: Db): OutcomeCounter {
  return processSingleton('webhook-counter', () => new OutcomeCounter(db, setting('BREAKWATER_FLUSH_INTERVAL_MS')));
}

/** Adds one to the source's count of an outcome in the minute of `at` (written within a second). */
export function countOutcome(db: Db, sourceId: string, outcome: Outcome, at = new Date()): void {
  counterFor(db).add(sourceId, outcome, at);
}

/** Writes the counts not yet written: before reading them, and before the process exits. */
export function flushWebhookCounts(): Promise<void> {
  return existingSingleton<OutcomeCounter>('webhook-counter')?.flush() ?? Promise.resolve();
}

export type OutcomeTotals = Record<Outcome, number>;
const emptyTotals = () => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeTotals;

export interface CountsQuery {
  from: Date;
  to: Date;
  sourceId?: string;
}

/** Totals per source over the range. */
export async function countTotals(db: Db, query: CountsQuery): Promise<Map<string, OutcomeTotals>> {
  await flushWebhookCounts();
  const groups = await db.webhookCount.groupBy({
    by: ['sourceId', 'outcome'],
    where: {
      bucket: { gte: minuteOf(query.from), lte: query.to },
      ...(query.sourceId && { sourceId: query.sourceId }),
    },
    _sum: { count: true },
  });
  const totals = new Map<string, OutcomeTotals>();
  for (const group of groups) {
    const row = totals.get(group.sourceId) ?? emptyTotals();
    if (group.outcome in row) row[group.outcome as Outcome] += group._sum.count ?? 0;
    totals.set(group.sourceId, row);
  }
  return totals;
}

/** One source's counts per step (the dashboard's automatic step for the range) and in total. */
export async function countSeries(db: Db, query: CountsQuery & { sourceId: string }) {
  await flushWebhookCounts();
  const { stepSeconds } = stepFor(query.to.getTime() - query.from.getTime());
  const stepMs = stepSeconds * 1000;
  const first = Math.floor(query.from.getTime() / stepMs) * stepMs;
  const points = Array.from({ length: Math.max(1, Math.ceil((query.to.getTime() - first) / stepMs)) }, (_, i) => ({
    at: new Date(first + i * stepMs),
    ...emptyTotals(),
  }));
  const rows = await db.webhookCount.findMany({
    where: { sourceId: query.sourceId, bucket: { gte: new Date(first), lte: query.to } },
  });
  const totals = emptyTotals();
  for (const row of rows) {
    const point = points[Math.floor((row.bucket.getTime() - first) / stepMs)];
    if (!point || !(row.outcome in totals)) continue;
    point[row.outcome as Outcome] += row.count;
    if (row.bucket >= minuteOf(query.from)) totals[row.outcome as Outcome] += row.count;
  }
  return { from: query.from, to: query.to, stepSeconds, totals, points };
}
