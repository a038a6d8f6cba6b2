import type { Db } from '@/lib/db';
import { stepFor } from '@/lib/queries';
import { OUTCOMES, type Outcome } from './schema';

const MINUTE_MS = 60_000;

export const minuteOf = (at: Date) => new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);

/**
 * Adds one to the source's count of an outcome in the minute of `at`. A native upsert with an increment is
 * exact under concurrency; two first writers of the same minute can still race on the insert, so a unique
 * violation is retried once (the row then exists).
 */
export async function countOutcome(db: Db, sourceId: string, outcome: Outcome, at = new Date()): Promise<void> {
  const bucket = minuteOf(at);
  const upsert = () =>
    db.webhookCount.upsert({
      where: { sourceId_bucket_outcome: { sourceId, bucket, outcome } },
      create: { sourceId, bucket, outcome, count: 1 },
      update: { count: { increment: 1 } },
    });
  try {
    await upsert();
  } catch (error) {
    if ((error as { code?: string }).code !== 'P2002') throw error;
    await upsert();
  }
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
