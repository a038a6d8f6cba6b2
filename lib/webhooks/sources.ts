import { randomUUID } from 'node:crypto';
import { bumpConfigVersion, type Db } from '@/lib/db';
import { findIntegration, UnsafePathError } from '@/lib/integrations';
import { assertSafePath } from '@/lib/jobs';
import { applyPatch, DomainError } from '@/lib/model';
import { assertSecretRole, forgetVerificationSecrets } from '@/lib/secret-roles';
import { isSecretConfigured } from '@/lib/secrets';
import { processSingleton } from '@/lib/server/singleton';
import {
  type HmacOptions,
  hmacOptionsSchema,
  type Scheme,
  type SourceConfig,
  sourceFields,
  type sourcePatchSchema,
  sourceSchema,
} from './schema';

export type WebhookSourceRow = NonNullable<Awaited<ReturnType<Db['webhookSource']['findUnique']>>> & {
  /** the workspace's slug, for the endpoint `/api/webhooks/<workspace>/<source>` (read with WITH_WORKSPACE) */
  workspace?: { slug: string };
};

/** Reads a source with its workspace's slug. */
export const WITH_WORKSPACE = { workspace: { select: { slug: true } } } as const;

export interface WebhookSource {
  id: string;
  workspaceId: string;
  /** the workspace's slug: deliveries come to /api/webhooks/<workspaceSlug>/<slug> */
  workspaceSlug: string;
  slug: string;
  name: string;
  integrationId: string;
  integration: string;
  forwardPath: string;
  scheme: Scheme;
  secretEnv: string;
  previousSecretEnv: string | null;
  options: HmacOptions | null;
  toleranceSeconds: number;
  maxBodyBytes: number;
  dedupBy: 'id' | 'field' | 'hash';
  dedupField: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A bad source configuration found against the database (the schema cannot know integrations). */
export class SourceInputError extends DomainError {
  /** Answered as a validation error is: the field named in the message and in `issues`. */
  constructor(status: 400 | 409, field: string, reason: string) {
    super(`invalid ${field}: ${reason}`, status, 'source_input', field, [{ field, message: reason }]);
  }
}

export function fromRow(row: WebhookSourceRow): WebhookSource {
  const scheme = row.scheme as Scheme;
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    workspaceSlug: row.workspace?.slug ?? row.workspaceId,
    slug: row.slug,
    name: row.name,
    integrationId: row.integrationId,
    integration: row.integrationSlug,
    forwardPath: row.forwardPath,
    scheme,
    secretEnv: row.secretEnv,
    previousSecretEnv: row.previousSecretEnv,
    options: scheme === 'hmac' ? hmacOptionsSchema.parse(JSON.parse(row.options)) : null,
    toleranceSeconds: row.toleranceSeconds,
    maxBodyBytes: row.maxBodyBytes,
    dedupBy: row.dedupBy as WebhookSource['dedupBy'],
    dedupField: row.dedupField,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * What the API and UI show: variable names and whether they are set (exposed names only), never a secret;
 * the URL to give the sender (with its workspace: `/api/webhooks/<workspace>/<source>`; the `default`
 * workspace's sources also keep answering at the older `/api/webhooks/<source>`).
 */
export function sourceView(source: WebhookSource, env: NodeJS.ProcessEnv = process.env) {
  const { integrationId: _, workspaceId: __, ...rest } = source;
  return {
    ...rest,
    endpoint: `/api/webhooks/${encodeURIComponent(source.workspaceSlug)}/${encodeURIComponent(source.slug)}`,
    secretConfigured: isSecretConfigured(source.secretEnv, env),
    previousSecretConfigured: source.previousSecretEnv ? isSecretConfigured(source.previousSecretEnv, env) : null,
  };
}
export type WebhookSourceView = ReturnType<typeof sourceView>;

export async function listSources(db: Db, workspaceId: string): Promise<WebhookSource[]> {
  const rows = await db.webhookSource.findMany({
    where: { workspaceId },
    include: WITH_WORKSPACE,
    orderBy: { name: 'asc' },
  });
  return rows.map(fromRow);
}

/** The workspace's source (another workspace's is null: a 404). */
export async function findSource(db: Db, workspaceId: string, slug: string): Promise<WebhookSource | null> {
  const row = await db.webhookSource.findUnique({
    where: { workspaceId_slug: { workspaceId, slug } },
    include: WITH_WORKSPACE,
  });
  return row ? fromRow(row) : null;
}

/**
 * The integration must exist, the forward path must be one the gateway would send, and the verification
 * secrets must not be ones Breakwater sends or signs with.
 */
async function toData(db: Db, workspaceId: string, config: SourceConfig) {
  await assertSecretRole(
    db,
    'verification',
    [
      { field: 'secretEnv', name: config.secretEnv },
      { field: 'previousSecretEnv', name: config.previousSecretEnv },
    ],
    workspaceId,
  );
  // another workspace's integration is as absent as one that does not exist
  const integration = await findIntegration(db, workspaceId, config.integration);
  if (!integration) throw new SourceInputError(400, 'integration', `no integration "${config.integration}"`);
  try {
    assertSafePath(integration, config.forwardPath);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new SourceInputError(400, 'forwardPath', error.message);
    throw error;
  }
  const { integration: slug, options, ...rest } = config;
  return {
    ...rest,
    integrationId: integration.id,
    integrationSlug: slug,
    options: JSON.stringify(options ?? {}),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

const conflict = (slug: string) => new SourceInputError(409, 'slug', `a webhook source "${slug}" already exists`);

/** `config` must already be validated with sourceSchema. Slugs are unique per workspace. */
export async function createSource(db: Db, workspaceId: string, config: SourceConfig): Promise<WebhookSource> {
  const data = await toData(db, workspaceId, config);
  try {
    const source = fromRow(
      await db.webhookSource.create({ data: { id: randomUUID(), workspaceId, ...data }, include: WITH_WORKSPACE }),
    );
    await publishSourceChange(db);
    return source;
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(config.slug);
    throw error;
  } finally {
    forgetVerificationSecrets();
  }
}

/** Applies a validated patch; the merged source is validated as a whole. Null when the source is absent. */
export async function updateSource(
  db: Db,
  workspaceId: string,
  slug: string,
  patch: ReturnType<typeof sourcePatchSchema.parse>,
): Promise<
  | { ok: true; source: WebhookSource }
  | { ok: false; error: NonNullable<ReturnType<typeof sourceSchema.safeParse>['error']> }
  | null
> {
  const current = await findSource(db, workspaceId, slug);
  if (!current) return null;
  const {
    id: _,
    createdAt: __,
    updatedAt: ___,
    integrationId: ____,
    workspaceId: _w,
    workspaceSlug: _s,
    ...fields
  } = current;
  const merged = sourceSchema.safeParse(
    applyPatch(sourceFields, { ...fields, options: fields.options ?? undefined }, patch),
  );
  if (!merged.success) return { ok: false, error: merged.error };
  const data = await toData(db, workspaceId, merged.data);
  try {
    const source = fromRow(await db.webhookSource.update({ where: { id: current.id }, data, include: WITH_WORKSPACE }));
    await publishSourceChange(db);
    return { ok: true, source };
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(merged.data.slug);
    throw error;
  } finally {
    forgetVerificationSecrets();
  }
}

/** Deletes the source with its events and counts (forward jobs already queued still run). */
export async function deleteSource(db: Db, workspaceId: string, slug: string): Promise<boolean> {
  const { count } = await db.webhookSource.deleteMany({ where: { workspaceId, slug } });
  forgetVerificationSecrets();
  if (count > 0) await publishSourceChange(db);
  return count > 0;
}

interface SourceSnapshot {
  /** by `<workspace slug>/<source slug>` (slugs hold no "/") */
  bySlug: Map<string, WebhookSource>;
  /** loads run one after another, so a slow older read never replaces a newer one */
  loads: Promise<unknown>;
}

// Every source, in memory, so inbound deliveries read no database to find theirs (see
// loadDataPlaneConfig in lib/server/config.ts).
const snapshot = processSingleton<SourceSnapshot>('webhook-source-snapshot', () => ({
  bySlug: new Map(),
  loads: Promise.resolve(),
}));

/**
 * The source receiving deliveries at `/api/webhooks/<workspaceSlug>/<slug>`, from memory (loaded at start,
 * refreshed on change).
 */
export function sourceForWebhook(workspaceSlug: string, slug: string): WebhookSource | null {
  return snapshot.bySlug.get(`${workspaceSlug}/${slug}`) ?? null;
}

/** Replaces the in-memory sources with these rows (all of them, read WITH_WORKSPACE). */
export function replaceWebhookSourceSnapshot(rows: WebhookSourceRow[]): void {
  snapshot.bySlug = new Map(
    rows.map((row) => {
      const source = fromRow(row);
      return [`${source.workspaceSlug}/${source.slug}`, source];
    }),
  );
}

/** Reads every source and replaces the snapshot with them. */
export function loadWebhookSourceSnapshot(db: Db): Promise<void> {
  const load = snapshot.loads.then(async () =>
    replaceWebhookSourceSnapshot(await db.webhookSource.findMany({ include: WITH_WORKSPACE })),
  );
  snapshot.loads = load.catch(() => undefined);
  return load;
}

/** After a committed change: other instances see the new version within one poll, this one at once. */
async function publishSourceChange(db: Db): Promise<void> {
  await bumpConfigVersion(db);
  await loadWebhookSourceSnapshot(db);
}
