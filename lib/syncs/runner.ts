import { randomUUID } from 'node:crypto';
import { type Db, getDb } from '@/lib/db';
import { findIntegration, secretsOf } from '@/lib/integrations';
import { ClaimLoop, sendStored } from '@/lib/jobs';
import { log } from '@/lib/logging';
import { scrubSecrets } from '@/lib/redaction';
import { assertOutboundSecret } from '@/lib/secret-roles';
import { setting } from '@/lib/server/env';
import { existingSingleton, processSingleton } from '@/lib/server/singleton';
import { syncRunnerConfig } from './config';
import { type Page, type PageItem, parsePage } from './page';
import type { SyncRow } from './service';
import { deliverPage } from './sink';

/** Usage and cost count a sync's pages under this caller. */
const SYNC_CALLER: Readonly<Record<string, string>> = { caller: 'sync' };

/** The lease moved on (another instance took the sync over) or the checkpoint was changed by an update. */
class LeaseLostError extends Error {
  constructor() {
    super('the sync was taken over by another runner or changed while it ran; this run stopped without writing');
  }
}

/** What a run holds while it runs: the lease value it owns (its fencing token) and where it has got to. */
interface RunState {
  lease: Date;
  checkpoint: string | null;
  lastItemAt: Date | null;
}

function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
}

/** The page request: the sync's path with the checkpoint and page size set as query parameters. */
function pagePath(sync: SyncRow, checkpoint: string | null): string {
  const queryAt = sync.path.indexOf('?');
  const pathname = queryAt < 0 ? sync.path : sync.path.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : sync.path.slice(queryAt + 1));
  if (checkpoint !== null) query.set(sync.cursorParam, checkpoint);
  if (sync.limitParam) query.set(sync.limitParam, String(sync.pageSize));
  const search = query.toString();
  return search ? `${pathname}?${search}` : pathname;
}

/** The page's items not delivered before (by id; an id repeated within the page counts once). */
async function undelivered(db: Pick<Db, 'syncItem'>, syncId: string, items: readonly PageItem[]): Promise<PageItem[]> {
  if (items.length === 0) return [];
  const stored = await db.syncItem.findMany({
    where: { syncId, itemId: { in: items.map((item) => item.id) } },
    select: { itemId: true },
  });
  const seen = new Set(stored.map((row) => row.itemId));
  return items.filter((item) => !seen.has(item.id) && Boolean(seen.add(item.id)));
}

/**
 * Claims due syncs (and syncs whose lease expired: their runner died) with an optimistic update, so two
 * instances never run the same sync at once, and runs each: page by page from the stored checkpoint, each
 * page's items and the new checkpoint written in one transaction that holds only while the lease does.
 */
export class SyncRunner extends ClaimLoop<SyncRow> {
  constructor(private readonly db: Db) {
    super('sync runner', syncRunnerConfig);
  }

  protected async claim(max: number, leaseMs: number): Promise<SyncRow[]> {
    const now = new Date();
    const candidates = await this.db.sync.findMany({
      where: { enabled: true, nextRunAt: { lte: now }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      orderBy: { nextRunAt: 'asc' },
      take: max,
    });
    const claimed: SyncRow[] = [];
    for (const sync of candidates) {
      const lease = new Date(now.getTime() + leaseMs);
      const { count } = await this.db.sync.updateMany({
        where: { id: sync.id, leaseUntil: sync.leaseUntil },
        data: { leaseUntil: lease, lastRunAt: now },
      });
      if (count === 1) claimed.push({ ...sync, leaseUntil: lease, lastRunAt: now });
    }
    return claimed;
  }

  protected async run(sync: SyncRow, leaseMs: number): Promise<void> {
    const startedAt = new Date();
    // Holding the lease, any run still marked running belongs to a runner that died.
    await this.db.syncRun.updateMany({
      where: { syncId: sync.id, state: 'running' },
      data: { state: 'interrupted', finishedAt: startedAt, error: 'its runner stopped before it finished' },
    });
    const run = await this.db.syncRun.create({
      data: { id: randomUUID(), syncId: sync.id, startedAt, fromCheckpoint: sync.checkpoint },
    });
    const state: RunState = { lease: sync.leaseUntil!, checkpoint: sync.checkpoint, lastItemAt: sync.lastItemAt };
    let error: unknown;
    let more = false;
    try {
      more = await this.pollPages(sync, run.id, state, leaseMs);
    } catch (caught) {
      error = caught;
    }
    const finishedAt = new Date();
    const message = error === undefined ? null : errorMessage(error);
    if (message) log.warn({ sync: sync.slug, error: message }, 'sync run failed');
    await this.db.syncRun.update({
      where: { id: run.id },
      data: { state: message ? 'failed' : 'done', finishedAt, error: message },
    });
    if (error instanceof LeaseLostError) return;
    // A run that stopped at maxPages with the feed still moving is due again at once, behind the other due syncs.
    const nextRunAt = more ? finishedAt : new Date(finishedAt.getTime() + sync.intervalSeconds * 1000);
    await this.db.sync.updateMany({
      where: { id: sync.id, leaseUntil: state.lease },
      data: { leaseUntil: null, nextRunAt, lastError: message, ...(message ? {} : { lastSuccessAt: finishedAt }) },
    });
  }

  /** Fetches and delivers pages until the feed is caught up; true when it stopped at maxPages instead. */
  private async pollPages(sync: SyncRow, runId: string, state: RunState, leaseMs: number): Promise<boolean> {
    for (let pages = 0; pages < sync.maxPages; pages++) {
      const from = state.checkpoint;
      await this.renewLease(sync, state, leaseMs);
      const page = await this.fetchPage(sync, from, leaseMs);
      const next = page.next ?? from;
      const fresh = await undelivered(this.db, sync.id, page.items);
      if (sync.sink === 'webhook' && fresh.length > 0) {
        await this.renewLease(sync, state, leaseMs);
        await assertOutboundSecret(sync.sinkSecretEnv!, this.db);
        await deliverPage(
          {
            syncId: sync.id,
            slug: sync.slug,
            integration: sync.integrationSlug,
            url: sync.sinkUrl!,
            secretEnv: sync.sinkSecretEnv!,
            from,
            next: page.next,
            items: fresh,
          },
          AbortSignal.timeout(leaseMs / 2),
        );
      }
      if (fresh.length > 0 || next !== from) await this.commitPage(sync, runId, state, from, next, page.items);
      if (page.items.length === 0 || page.next === null || next === from) return false;
    }
    return true;
  }

  /** Extends the lease before a step that may take a while; each step is cut off at half the lease. */
  private async renewLease(sync: SyncRow, state: RunState, leaseMs: number): Promise<void> {
    const lease = new Date(Date.now() + leaseMs);
    const { count } = await this.db.sync.updateMany({
      where: { id: sync.id, leaseUntil: state.lease },
      data: { leaseUntil: lease },
    });
    if (count !== 1) throw new LeaseLostError();
    state.lease = lease;
  }

  /** One page through the integration's resilient client, exactly like a gateway call (limits, telemetry). */
  private async fetchPage(sync: SyncRow, from: string | null, leaseMs: number): Promise<Page> {
    const integration = await findIntegration(this.db, sync.workspaceId, sync.integrationSlug);
    if (!integration || integration.id !== sync.integrationId)
      throw new Error(`integration "${sync.integrationSlug}" no longer exists`);
    const response = await sendStored(
      integration,
      // no-cache: a feed page must come from the upstream, never from the integration's response cache.
      {
        method: 'GET',
        path: pagePath(sync, from),
        headers: { accept: 'application/json', 'cache-control': 'no-cache' },
      },
      randomUUID(),
      AbortSignal.timeout(leaseMs / 2),
      SYNC_CALLER,
    );
    if (response.status < 200 || response.status >= 300) throw new Error(`the upstream answered ${response.status}`);
    // Items are the feed's own data, kept as sent, except the integration's key should the upstream echo it.
    return parsePage(scrubSecrets(response.body.toString('utf8'), secretsOf(integration)), sync);
  }

  /**
   * Stores the page's new items and moves the checkpoint in one transaction, guarded by the lease and the
   * checkpoint the page was fetched from: a crash before it leaves both as they were (the page is fetched
   * again and its stored items skipped), and a runner that lost its lease writes nothing.
   */
  private async commitPage(
    sync: SyncRow,
    runId: string,
    state: RunState,
    from: string | null,
    next: string | null,
    items: readonly PageItem[],
  ): Promise<void> {
    const lastItemAt = await this.db.$transaction(async (tx) => {
      const fresh = await undelivered(tx, sync.id, items);
      if (fresh.length > 0)
        await tx.syncItem.createMany({
          data: fresh.map((item) => ({
            syncId: sync.id,
            itemId: item.id,
            payload: JSON.stringify(item.payload),
            itemAt: item.at,
          })),
        });
      const newest = fresh.reduce<Date | null>(
        (max, item) => (item.at && (!max || item.at > max) ? item.at : max),
        state.lastItemAt,
      );
      const { count } = await tx.sync.updateMany({
        where: { id: sync.id, leaseUntil: state.lease, checkpoint: from },
        data: { checkpoint: next, itemsDelivered: { increment: fresh.length }, lastItemAt: newest },
      });
      if (count !== 1) throw new LeaseLostError();
      await tx.syncRun.update({
        where: { id: runId },
        data: { pages: { increment: 1 }, items: { increment: fresh.length }, toCheckpoint: next },
      });
      return newest;
    });
    state.checkpoint = next;
    state.lastItemAt = lastItemAt;
  }
}

/** Starts the process's sync runner once (BREAKWATER_SYNC_RUNNER=off leaves this instance out). */
export function startSyncRunner(): void {
  if (setting('BREAKWATER_SYNC_RUNNER') === 'off') return;
  processSingleton('sync-runner', () => new SyncRunner(getDb()).start());
}

/** Asks this instance's runner to look for due syncs now (no-op where the runner is off). */
export function wakeSyncRunner(): void {
  existingSingleton<SyncRunner>('sync-runner')?.wake();
}
