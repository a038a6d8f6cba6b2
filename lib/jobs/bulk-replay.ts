import { randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db';
import { log } from '@/lib/logging';
import { type CallFilter, searchCalls } from '@/lib/queries';
import { runBatch } from '@/lib/resilience';
import { executeReplay, planReplay, ReplayRefusedError } from './replay';
import type { BulkReplayInput } from './schema';

const shared = globalThis as typeof globalThis & { __breakwaterReplayRuns?: Map<string, AbortController> };
shared.__breakwaterReplayRuns ??= new Map();
const active = shared.__breakwaterReplayRuns;

/** The ids of the calls matching the explorer's filter, read with the explorer's own query. */
async function matchingCallIds(db: Db, filter: CallFilter, limit: number): Promise<{ ids: string[]; more: boolean }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await searchCalls(db, { ...filter, cursor, limit: 200 });
    for (const call of page.calls) ids.push(call.id);
    if (ids.length >= limit || !page.nextCursor)
      return { ids: ids.slice(0, limit), more: ids.length > limit || !!page.nextCursor };
    cursor = page.nextCursor;
  }
}

type RunRow = NonNullable<Awaited<ReturnType<Db['replayRun']['findUnique']>>>;

export function runView(run: RunRow) {
  // A run this process does not hold, still "running", was cut short by a restart.
  const state = run.state === 'running' && !active.has(run.id) ? 'interrupted' : run.state;
  return {
    id: run.id,
    state,
    filter: JSON.parse(run.filter) as CallFilter,
    idempotency: run.idempotency,
    concurrency: run.concurrency,
    total: run.total,
    succeeded: run.succeeded,
    failed: run.failed,
    refused: run.refused,
    done: run.succeeded + run.failed + run.refused,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
  };
}

/** Dry run: how many calls would be replayed. Otherwise starts the run in the background and returns it. */
export async function startBulkReplay(db: Db, input: BulkReplayInput) {
  const { ids, more } = await matchingCallIds(db, input.filter, input.limit);
  if (input.dryRun) return { dryRun: true as const, count: ids.length, more };
  const run = await db.replayRun.create({
    data: {
      id: randomUUID(),
      filter: JSON.stringify(input.filter),
      idempotency: input.idempotency,
      concurrency: input.concurrency,
      total: ids.length,
    },
  });
  const controller = new AbortController();
  active.set(run.id, controller);
  void runBulk(db, run.id, ids, input, controller.signal)
    .catch((error) => log.error({ err: error, run: run.id }, 'bulk replay failed'))
    .finally(() => active.delete(run.id));
  return { dryRun: false as const, run: runView(run) };
}

async function runBulk(db: Db, runId: string, ids: string[], input: BulkReplayInput, signal: AbortSignal) {
  await runBatch(
    ids,
    async (callId) => {
      if (signal.aborted) return;
      let counter: 'succeeded' | 'failed' | 'refused';
      try {
        const plan = await planReplay(db, callId, {
          mode: 'as-recorded',
          idempotency: input.idempotency,
          dryRun: false,
        });
        const result = await executeReplay(plan, signal);
        counter = result.status !== null && result.status < 400 ? 'succeeded' : 'failed';
      } catch (error) {
        counter = error instanceof ReplayRefusedError ? 'refused' : 'failed';
      }
      await db.replayRun.update({ where: { id: runId }, data: { [counter]: { increment: 1 } } });
    },
    { concurrency: input.concurrency, continueOnError: true },
  );
  await db.replayRun.updateMany({
    where: { id: runId, state: 'running' },
    data: { state: signal.aborted ? 'cancelled' : 'done', finishedAt: new Date() },
  });
}

export async function findReplayRun(db: Db, id: string) {
  const run = await db.replayRun.findUnique({ where: { id } });
  return run ? runView(run) : null;
}

/** Stops starting new replays of a run; those in flight finish. */
export async function cancelReplayRun(db: Db, id: string) {
  active.get(id)?.abort();
  await db.replayRun.updateMany({
    where: { id, state: 'running' },
    data: { state: 'cancelled', finishedAt: new Date() },
  });
  return findReplayRun(db, id);
}
