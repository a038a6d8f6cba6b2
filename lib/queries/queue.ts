import type { Db } from '@/lib/db';
import { JOB_STATES, type JobState } from '@/lib/model';

// Read models of the job queue (lib/jobs writes it): live stats for the pages and alerts, and the
// sampled series for the charts.

/** Queue depth, counts per state and the oldest waiting and dead jobs' ages: what is charted and alerted on. */
export interface QueueStats {
  /** queued + running */
  depth: number;
  byState: Record<JobState, number>;
  oldestQueuedAgeSeconds: number | null;
  deadLetters: number;
  oldestDeadLetterAgeSeconds: number | null;
}

export interface QueueSnapshot {
  all: QueueStats;
  /** per workspace id, only workspaces that have jobs */
  byWorkspace: Map<string, QueueStats>;
  /** per integration id, only integrations that have jobs */
  byIntegration: Map<string, { slug: string; workspaceId: string; stats: QueueStats }>;
}

const WAITING: JobState[] = ['queued', 'running'];

export function emptyQueueStats(): QueueStats {
  return {
    depth: 0,
    byState: Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>,
    oldestQueuedAgeSeconds: null,
    deadLetters: 0,
    oldestDeadLetterAgeSeconds: null,
  };
}

/** The stats of the whole queue, of each workspace and of each integration, from one grouped read. */
export async function queueSnapshot(db: Db, now = new Date()): Promise<QueueSnapshot> {
  const groups = await db.job.groupBy({
    by: ['workspaceId', 'integrationId', 'integrationSlug', 'state'],
    _count: { _all: true },
    _min: { createdAt: true },
  });
  const all = emptyQueueStats();
  const byWorkspace = new Map<string, QueueStats>();
  const byIntegration = new Map<string, { slug: string; workspaceId: string; stats: QueueStats }>();
  const age = (createdAt: Date | null) =>
    createdAt ? Math.max(0, Math.round((now.getTime() - createdAt.getTime()) / 1000)) : null;
  const older = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  for (const group of groups) {
    const state = group.state as JobState;
    let entry = byIntegration.get(group.integrationId);
    if (!entry) {
      entry = { slug: group.integrationSlug, workspaceId: group.workspaceId, stats: emptyQueueStats() };
      byIntegration.set(group.integrationId, entry);
    }
    let workspace = byWorkspace.get(group.workspaceId);
    if (!workspace) {
      workspace = emptyQueueStats();
      byWorkspace.set(group.workspaceId, workspace);
    }
    for (const stats of [all, workspace, entry.stats]) {
      stats.byState[state] = (stats.byState[state] ?? 0) + group._count._all;
      if (WAITING.includes(state)) {
        stats.depth += group._count._all;
        stats.oldestQueuedAgeSeconds = older(stats.oldestQueuedAgeSeconds, age(group._min.createdAt));
      }
      if (state === 'dead') {
        stats.deadLetters += group._count._all;
        stats.oldestDeadLetterAgeSeconds = older(stats.oldestDeadLetterAgeSeconds, age(group._min.createdAt));
      }
    }
  }
  return { all, byWorkspace, byIntegration };
}

/** The stats of the workspace's queue, or of one of its integrations. */
export async function queueStats(
  db: Db,
  workspaceId: string,
  filter: { integrationId?: string } = {},
): Promise<QueueStats> {
  const snapshot = await queueSnapshot(db);
  if (!filter.integrationId) return snapshot.byWorkspace.get(workspaceId) ?? emptyQueueStats();
  const entry = snapshot.byIntegration.get(filter.integrationId);
  return entry?.workspaceId === workspaceId ? entry.stats : emptyQueueStats();
}

export interface QueuePoint {
  at: Date;
  depth: number | null;
  oldestQueuedAgeSeconds: number | null;
  deadLetters: number | null;
  oldestDeadLetterAgeSeconds: number | null;
}

export interface QueueSeries {
  from: Date;
  to: Date;
  stepSeconds: number;
  points: QueuePoint[];
}

/** Chart steps; the smallest that keeps a range within MAX_POINTS is used. */
const STEPS_SECONDS = [15, 60, 300, 900, 3600, 6 * 3600, 86_400];
const MAX_POINTS = 300;

/**
 * The workspace's queue samples over a range (the sampler writes a row per workspace each tick), one point per step holding each step's highest value (a short backlog
 * stays visible at any zoom). Steps without a sample are null: nothing was sampling then. An integration's
 * series reads the all-integrations samples as its clock: the sampler writes a row for an integration only
 * while it has waiting or dead jobs, so a sampled moment without its row means zero.
 */
export async function queueSeries(
  db: Db,
  workspaceId: string,
  range: { from: Date; to: Date; integrationId?: string | null; stepSeconds?: number },
): Promise<QueueSeries> {
  const rangeMs = range.to.getTime() - range.from.getTime();
  const stepSeconds =
    range.stepSeconds ??
    STEPS_SECONDS.find((s) => rangeMs / (s * 1000) <= MAX_POINTS) ??
    STEPS_SECONDS[STEPS_SECONDS.length - 1];
  const stepMs = stepSeconds * 1000;
  const start = Math.floor(range.from.getTime() / stepMs) * stepMs;
  const at = { gte: new Date(start), lte: range.to };
  const [clock, own] = await Promise.all([
    db.queueSample.findMany({ where: { workspaceId, integrationId: null, at }, orderBy: { at: 'asc' } }),
    range.integrationId
      ? db.queueSample.findMany({
          where: { workspaceId, integrationId: range.integrationId, at },
          orderBy: { at: 'asc' },
        })
      : Promise.resolve(null),
  ]);
  const rows = own ? zeroFilled(clock, own) : clock;
  const points: QueuePoint[] = [];
  for (let t = start; t <= range.to.getTime(); t += stepMs)
    points.push({
      at: new Date(t),
      depth: null,
      oldestQueuedAgeSeconds: null,
      deadLetters: null,
      oldestDeadLetterAgeSeconds: null,
    });
  const max = (a: number | null, b: number | null) => (b === null ? a : a === null ? b : Math.max(a, b));
  for (const row of rows) {
    const point = points[Math.floor((row.at.getTime() - start) / stepMs)];
    if (!point) continue;
    point.depth = max(point.depth, row.depth) ?? 0;
    point.deadLetters = max(point.deadLetters, row.deadLetters) ?? 0;
    point.oldestQueuedAgeSeconds = max(point.oldestQueuedAgeSeconds, row.oldestQueuedAgeSeconds);
    point.oldestDeadLetterAgeSeconds = max(point.oldestDeadLetterAgeSeconds, row.oldestDeadAgeSeconds);
  }
  return { from: range.from, to: range.to, stepSeconds, points };
}

type SampleRow = Awaited<ReturnType<Db['queueSample']['findMany']>>[number];

function zeroFilled(clock: SampleRow[], own: SampleRow[]): SampleRow[] {
  const byTime = new Map(own.map((row) => [row.at.getTime(), row]));
  return clock.map(
    (tick) =>
      byTime.get(tick.at.getTime()) ?? {
        ...tick,
        depth: 0,
        oldestQueuedAgeSeconds: null,
        deadLetters: 0,
        oldestDeadAgeSeconds: null,
      },
  );
}
