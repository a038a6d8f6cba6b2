import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db';
import { type CallFilter, searchCalls } from '@/lib/queries';
import { runBatch } from '@/lib/resilience';
import { setting } from '@/lib/server/env';
import { existingSingleton, processSingleton } from '@/lib/server/singleton';
import { getRecorder } from '@/lib/telemetry';
import { ClaimLoop, type ClaimLoopConfig } from './claim-loop';
import { executeReplay, planReplay, ReplayRefusedError } from './replay';
import type { BulkReplayInput } from './schema';

const active = processSingleton('replay-runs', () => new Map<string, AbortController>());

/** The ids of the calls matching the explorer's filter, read with the explorer's own query. */
async function matchingCallIds(
  db: Db,
  workspaceId: string,
  filter: CallFilter,
  limit: number,
): Promise<{ ids: string[]; more: boolean }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await searchCalls(db, workspaceId, { ...filter, cursor, limit: 200 });
    for (const call of page.calls) ids.push(call.id);
    if (ids.length >= limit || !page.nextCursor)
      return { ids: ids.slice(0, limit), more: ids.length > limit || !!page.nextCursor };
    cursor = page.nextCursor;
  }
}

type RunRow = NonNullable<Awaited<ReturnType<Db['replayRun']['findUnique']>>>;
type ItemState = 'succeeded' | 'failed' | 'refused';

export function runView(run: RunRow) {
  return {
    id: run.id,
    state: run.state,
    filter: JSON.parse(run.filter) as CallFilter,
    idempotency: run.idempotency,
    concurrency: run.concurrency,
    total: run.total,
    succeeded: run.succeeded,
    failed: run.failed,
    refused: run.refused,
    done: run.succeeded + run.failed + run.refused,
    resumes: run.resumes,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
  };
}

/** BREAKWATER_REPLAY_RUNS runs at once per instance (2); a lease of BREAKWATER_REPLAY_LEASE_MS (30 s). */
export function replayRunConfig(): ClaimLoopConfig {
  return {
    concurrency: setting('BREAKWATER_REPLAY_RUNS'),
    pollMs: setting('BREAKWATER_REPLAY_POLL_MS'),
    leaseMs: setting('BREAKWATER_REPLAY_LEASE_MS'),
  };
}

/**
 * Dry run: how many of the workspace's calls would be replayed. Otherwise stores the run with its calls as items in one
 * transaction and hands it to the runner (this instance's at once, or any instance's at its next look).
 */
export async function startBulkReplay(db: Db, workspaceId: string, input: BulkReplayInput) {
  const { ids, more } = await matchingCallIds(db, workspaceId, input.filter, input.limit);
  if (input.dryRun) return { dryRun: true as const, count: ids.length, more };
  const id = randomUUID();
  const [run] = await db.$transaction([
    db.replayRun.create({
      data: {
        id,
        workspaceId,
        filter: JSON.stringify(input.filter),
        idempotency: input.idempotency,
        concurrency: input.concurrency,
        total: ids.length,
        ...(ids.length === 0 && { state: 'done', finishedAt: new Date() }),
      },
    }),
    db.replayRunItem.createMany({ data: ids.map((callId, position) => ({ runId: id, position, callId })) }),
  ]);
  existingSingleton<BulkReplayRunner>('replay-runner')?.wake();
  return { dryRun: false as const, run: runView(run) };
}

/**
 * The idempotency key a run's "new keys" choice sends for one item: derived from the run and position, so
 * an item sent again after a crash carries the key it carried before (no double effect either way).
 */
function runItemKey(runId: string, position: number): string {
  const hex = createHash('sha256').update(`${runId}:${position}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Runs bulk replays: claims running runs nobody holds (new, or whose runner's lease expired) with the
 * loop jobs and syncs share, replays their pending items with the run's concurrency, and records each
 * item's outcome with the run's counters in one transaction, so progress and resumption agree.
 */
export class BulkReplayRunner extends ClaimLoop<RunRow> {
  constructor(private readonly db: Db) {
    super('bulk replay runner', replayRunConfig);
  }

  protected async claim(max: number, leaseMs: number): Promise<RunRow[]> {
    const now = new Date();
    const due = await this.db.replayRun.findMany({
      where: { state: 'running', OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      orderBy: { createdAt: 'asc' },
      take: max,
    });
    const claimed: RunRow[] = [];
    for (const run of due) {
      const { count } = await this.db.replayRun.updateMany({
        where: { id: run.id, state: 'running', leaseUntil: run.leaseUntil },
        data: {
          leaseUntil: new Date(now.getTime() + leaseMs),
          // A lease that had been taken and expired: its runner died, this one resumes the run.
          ...(run.leaseUntil && { resumes: { increment: 1 } }),
        },
      });
      if (count === 1) claimed.push(run);
    }
    return claimed;
  }

  protected async run(run: RunRow, leaseMs: number): Promise<void> {
    const controller = new AbortController();
    active.set(run.id, controller);
    // Renewing also notices a cancel made on another instance: the run is no longer running.
    const renew = setInterval(() => {
      this.db.replayRun
        .updateMany({ where: { id: run.id, state: 'running' }, data: { leaseUntil: new Date(Date.now() + leaseMs) } })
        .then(({ count }) => (count === 0 ? controller.abort() : undefined))
        .catch(() => undefined);
    }, leaseMs / 3);
    renew.unref();
    try {
      const items = await this.db.replayRunItem.findMany({
        where: { runId: run.id, state: 'pending' },
        orderBy: { position: 'asc' },
      });
      await runBatch(items, (item) => this.replayItem(run, item, controller.signal), {
        concurrency: run.concurrency,
        continueOnError: true,
      });
      // The replays' call log rows are written once for the run, not per item: "done" means they are there.
      await getRecorder().flush();
      if (!controller.signal.aborted)
        await this.db.replayRun.updateMany({
          where: { id: run.id, state: 'running' },
          data: { state: 'done', finishedAt: new Date(), leaseUntil: null },
        });
    } finally {
      clearInterval(renew);
      active.delete(run.id);
    }
  }

  private async replayItem(run: RunRow, item: { position: number; callId: string }, signal: AbortSignal) {
    if (signal.aborted) return;
    let state: ItemState;
    let replayId: string | null = null;
    try {
      const plan = await planReplay(
        this.db,
        run.workspaceId,
        item.callId,
        { mode: 'as-recorded', idempotency: run.idempotency as 'reuse' | 'new', dryRun: false },
        runItemKey(run.id, item.position),
      );
      const result = await executeReplay(plan, signal);
      // Cut short by a cancel: the item stays pending, as it was not replayed.
      if (signal.aborted && result.status === null) return;
      replayId = result.replayId;
      state = result.status !== null && result.status < 400 ? 'succeeded' : 'failed';
    } catch (error) {
      state = error instanceof ReplayRefusedError ? 'refused' : 'failed';
    }
    await this.db.$transaction([
      this.db.replayRunItem.update({
        where: { runId_position: { runId: run.id, position: item.position } },
        data: { state, replayId },
      }),
      this.db.replayRun.update({ where: { id: run.id }, data: { [state]: { increment: 1 } } }),
    ]);
  }
}

/** Starts the process's bulk replay runner once (with the job worker: BREAKWATER_JOB_WORKER=off leaves it out). */
export function startReplayRunner(db: Db): void {
  processSingleton('replay-runner', () => new BulkReplayRunner(db).start());
}

/** The run, when it is the workspace's (another workspace's is null: a 404). */
export async function findReplayRun(db: Db, workspaceId: string, id: string) {
  const run = await db.replayRun.findFirst({ where: { id, workspaceId } });
  return run ? runView(run) : null;
}

/** Stops starting new replays of a run, on whichever instance runs it (at its next lease renewal). */
export async function cancelReplayRun(db: Db, workspaceId: string, id: string) {
  if (!(await findReplayRun(db, workspaceId, id))) return null;
  active.get(id)?.abort();
  await db.replayRun.updateMany({
    where: { id, state: 'running' },
    data: { state: 'cancelled', finishedAt: new Date(), leaseUntil: null },
  });
  return findReplayRun(db, workspaceId, id);
}

/** Deletes ended bulk replay runs (with their items) started more than BREAKWATER_RETENTION_JOB_DAYS ago (14). */
export async function pruneReplayRuns(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - setting('BREAKWATER_RETENTION_JOB_DAYS') * 86_400_000);
  const { count } = await db.replayRun.deleteMany({
    where: { state: { not: 'running' }, createdAt: { lt: cutoff } },
  });
  return count;
}
