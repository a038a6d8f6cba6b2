import { randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db';
import { findIntegration, type Integration, UnsafePathError } from '@/lib/integrations';
import { assertSafePath } from '@/lib/jobs';
import { applyPatch, DomainError } from '@/lib/model';
import { assertSecretRole } from '@/lib/secret-roles';
import { isSecretConfigured } from '@/lib/secrets';
import { type SyncConfig, syncObject, syncSchema } from './schema';

export type SyncRow = NonNullable<Awaited<ReturnType<Db['sync']['findUnique']>>>;
type RunRow = NonNullable<Awaited<ReturnType<Db['syncRun']['findUnique']>>>;

/** Input that names something that does not exist or is unsafe (400, naming the field). */
export class SyncInputError extends DomainError {
  constructor(message: string, field: string) {
    super(message, 400, 'sync_input', field);
  }
}

/** Another sync has the slug (409). */
export class SyncConflictError extends DomainError {
  constructor(message: string) {
    super(message, 409, 'sync_conflict', 'slug');
  }
}

export type SyncStatus = 'disabled' | 'running' | 'failing' | 'ok' | 'waiting';

/**
 * What the API and UI show of a sync: its configuration, the name of the sink's secret variable and whether
 * it is set (never its value), and how it is doing. Lag is how old the newest delivered item is, or, for a
 * feed without item times, how long since the last successful run.
 */
export function syncView(row: SyncRow, now: Date = new Date(), env: NodeJS.ProcessEnv = process.env) {
  const running = row.leaseUntil !== null && row.leaseUntil > now;
  const status: SyncStatus = !row.enabled
    ? 'disabled'
    : running
      ? 'running'
      : row.lastError
        ? 'failing'
        : row.lastSuccessAt
          ? 'ok'
          : 'waiting';
  const lagFrom = row.lastItemAt ?? row.lastSuccessAt;
  return {
    slug: row.slug,
    integration: row.integrationSlug,
    path: row.path,
    mode: row.mode as SyncConfig['mode'],
    cursorParam: row.cursorParam,
    limitParam: row.limitParam,
    pageSize: row.pageSize,
    maxPages: row.maxPages,
    itemsField: row.itemsField,
    nextField: row.nextField,
    idField: row.idField,
    timeField: row.timeField,
    intervalSeconds: row.intervalSeconds,
    sink: row.sink as SyncConfig['sink'],
    sinkUrl: row.sinkUrl,
    sinkSecretEnv: row.sinkSecretEnv,
    sinkSecretConfigured: row.sinkSecretEnv ? isSecretConfigured(row.sinkSecretEnv, env) : null,
    enabled: row.enabled,
    checkpoint: row.checkpoint,
    status,
    running,
    nextRunAt: row.nextRunAt,
    lastRunAt: row.lastRunAt,
    lastSuccessAt: row.lastSuccessAt,
    lastError: row.lastError,
    lastItemAt: row.lastItemAt,
    lag: lagFrom
      ? {
          ms: Math.max(0, now.getTime() - lagFrom.getTime()),
          basis: row.lastItemAt ? ('newest-item' as const) : ('last-success' as const),
        }
      : null,
    itemsDelivered: row.itemsDelivered,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type SyncView = ReturnType<typeof syncView>;

export function runView(run: RunRow) {
  const { syncId: _syncId, ...view } = run;
  return view;
}
export type SyncRunView = ReturnType<typeof runView>;

/** The stored sync as the input its schema takes, so an update can be validated as a whole. */
function configOf(row: SyncRow): Record<string, unknown> {
  const { mode, cursorParam, limitParam, pageSize, maxPages, itemsField, nextField, idField, timeField } = row;
  const { intervalSeconds, sink, sinkUrl, sinkSecretEnv, enabled, checkpoint, slug, path } = row;
  return {
    ...{ slug, integration: row.integrationSlug, path, mode, cursorParam, limitParam, pageSize, maxPages },
    ...{
      itemsField,
      nextField,
      idField,
      timeField,
      intervalSeconds,
      sink,
      sinkUrl,
      sinkSecretEnv,
      enabled,
      checkpoint,
    },
  };
}

/**
 * The integration must exist and the path be one the gateway would send (no other host, no `..`); the
 * sink's secret must not be an inbound source's verification secret.
 */
async function targetOf(db: Db, workspaceId: string, config: SyncConfig): Promise<Integration> {
  await assertSecretRole(db, 'outbound', [{ field: 'sinkSecretEnv', name: config.sinkSecretEnv }], workspaceId);
  // another workspace's integration is as absent as one that does not exist
  const integration = await findIntegration(db, workspaceId, config.integration);
  if (!integration)
    throw new SyncInputError(`invalid integration: no integration "${config.integration}"`, 'integration');
  try {
    assertSafePath(integration, config.path);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new SyncInputError(`invalid path: ${error.message}`, 'path');
    throw error;
  }
  return integration;
}

function columnsOf(config: SyncConfig, integration: Integration) {
  const { integration: _slug, ...columns } = config;
  return { ...columns, integrationId: integration.id, integrationSlug: integration.slug };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

/** `config` must already be validated with syncSchema. The first run is due at once. Slugs are unique per workspace. */
export async function createSync(db: Db, workspaceId: string, config: SyncConfig): Promise<SyncRow> {
  const integration = await targetOf(db, workspaceId, config);
  try {
    return await db.sync.create({
      data: { id: randomUUID(), workspaceId, ...columnsOf(config, integration), nextRunAt: new Date() },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new SyncConflictError(`a sync with slug "${config.slug}" already exists`);
    throw error;
  }
}

/** The workspace's sync (another workspace's is null: a 404). */
export function findSync(db: Db, workspaceId: string, slug: string): Promise<SyncRow | null> {
  return db.sync.findUnique({ where: { workspaceId_slug: { workspaceId, slug } } });
}

export function listSyncs(db: Db, workspaceId: string, filter: { integration?: string } = {}): Promise<SyncRow[]> {
  return db.sync.findMany({
    where: { workspaceId, ...(filter.integration && { integrationSlug: filter.integration }) },
    orderBy: { slug: 'asc' },
  });
}

/**
 * Applies a patch (already checked field by field); the merged sync is validated as a whole. Enabling a
 * sync, or shortening its interval, brings its next run forward. Null when the sync does not exist.
 */
export async function updateSync(
  db: Db,
  workspaceId: string,
  slug: string,
  patch: Record<string, unknown>,
): Promise<
  | { ok: true; sync: SyncRow }
  | { ok: false; error: NonNullable<ReturnType<typeof syncSchema.safeParse>['error']> }
  | null
> {
  const current = await findSync(db, workspaceId, slug);
  if (!current) return null;
  const merged = syncSchema.safeParse(applyPatch(syncObject, configOf(current), patch));
  if (!merged.success) return { ok: false, error: merged.error };
  const config = merged.data;
  const integration = await targetOf(db, workspaceId, config);
  const soonest =
    config.enabled && !current.enabled ? new Date() : new Date(Date.now() + config.intervalSeconds * 1000);
  try {
    const sync = await db.sync.update({
      where: { id: current.id },
      data: {
        ...columnsOf(config, integration),
        nextRunAt: new Date(Math.min(soonest.getTime(), current.nextRunAt.getTime())),
      },
    });
    return { ok: true, sync };
  } catch (error) {
    if (isUniqueViolation(error)) throw new SyncConflictError(`a sync with slug "${config.slug}" already exists`);
    throw error;
  }
}

/** Deletes a sync with its runs and stored items. */
export async function deleteSync(db: Db, workspaceId: string, slug: string): Promise<boolean> {
  const { count } = await db.sync.deleteMany({ where: { workspaceId, slug } });
  return count > 0;
}

/** Makes the sync due now; the runner picks it up on its next look (at once on this instance). */
export async function requestRun(db: Db, workspaceId: string, slug: string): Promise<SyncRow | null> {
  const { count } = await db.sync.updateMany({ where: { workspaceId, slug }, data: { nextRunAt: new Date() } });
  return count ? findSync(db, workspaceId, slug) : null;
}

export async function listRuns(db: Db, syncId: string, limit: number): Promise<SyncRunView[]> {
  const runs = await db.syncRun.findMany({ where: { syncId }, orderBy: { startedAt: 'desc' }, take: limit });
  return runs.map(runView);
}

export interface ItemsQuery {
  /** from the previous answer's `next` */
  cursor?: number;
  limit: number;
  /** delivery order (`asc`, the feed's order) or newest first (`desc`) */
  order: 'asc' | 'desc';
}

/** Delivered items in delivery order or newest first, keyset-paginated on the stored row's id. */
export async function listItems(db: Db, syncId: string, query: ItemsQuery) {
  const rows = await db.syncItem.findMany({
    where: {
      syncId,
      ...(query.cursor !== undefined && { id: query.order === 'asc' ? { gt: query.cursor } : { lt: query.cursor } }),
    },
    orderBy: { id: query.order },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((row) => ({
      id: row.itemId,
      at: row.itemAt,
      receivedAt: row.receivedAt,
      payload: JSON.parse(row.payload) as unknown,
    })),
    next: rows.length > query.limit ? String(page[page.length - 1].id) : null,
  };
}
