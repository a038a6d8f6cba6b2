import { bumpConfigVersion, type Db } from '@/lib/db';
import { processSingleton } from '@/lib/server/singleton';
import { fromRow, type Integration, type IntegrationRow } from './rows';

interface Snapshot {
  /** by `${workspaceId}\u0000${slug}`: two workspaces may both have a "crm" */
  byKey: Map<string, Integration>;
  byId: Map<string, Integration>;
  /** workspace id → slug, for the `workspace` label of telemetry */
  workspaceSlugs: Map<string, string>;
  /** loads run one after another, so a slow older read never replaces a newer one */
  loads: Promise<unknown>;
}

// Every integration, parsed, held in memory so the data plane reads no database per call and keeps
// serving through a database outage. On globalThis (processSingleton): the custom server and Next's
// bundles each load this module.
const snapshot = processSingleton<Snapshot>('integration-snapshot', () => ({
  byKey: new Map(),
  byId: new Map(),
  workspaceSlugs: new Map(),
  loads: Promise.resolve(),
}));

const keyOf = (workspaceId: string, slug: string) => `${workspaceId}\u0000${slug}`;

/**
 * The integration the gateway serves under `slug` in the caller's workspace (a token's), from memory
 * (loaded at start, refreshed on change).
 */
export function integrationForGateway(workspaceId: string, slug: string): Integration | null {
  return snapshot.byKey.get(keyOf(workspaceId, slug)) ?? null;
}

/** An integration by its id, from memory (a webhook source names its integration by id). */
export function integrationOfId(id: string): Integration | null {
  return snapshot.byId.get(id) ?? null;
}

/** The slug of a workspace (for telemetry's `workspace` label); its id when it is not loaded yet. */
export function workspaceSlugOf(workspaceId: string): string {
  return snapshot.workspaceSlugs.get(workspaceId) ?? workspaceId;
}

/** Replaces the in-memory integrations with these rows (all of them), and the workspace slugs when given. */
export function replaceIntegrationSnapshot(rows: IntegrationRow[], workspaces?: { id: string; slug: string }[]): void {
  const integrations = rows.map(fromRow);
  snapshot.byKey = new Map(integrations.map((i) => [keyOf(i.workspaceId, i.slug), i]));
  snapshot.byId = new Map(integrations.map((i) => [i.id, i]));
  if (workspaces) snapshot.workspaceSlugs = new Map(workspaces.map((w) => [w.id, w.slug]));
}

/** Reads every integration (and workspace slug) and replaces the snapshot with them. */
export function loadIntegrationSnapshot(db: Db): Promise<void> {
  const load = snapshot.loads.then(async () => {
    const [rows, workspaces] = await Promise.all([
      db.integration.findMany(),
      db.workspace.findMany({ select: { id: true, slug: true } }),
    ]);
    replaceIntegrationSnapshot(rows, workspaces);
  });
  snapshot.loads = load.catch(() => undefined);
  return load;
}

/** After a committed change: other instances see the new version within one poll, this one at once. */
export async function publishIntegrationChange(db: Db): Promise<void> {
  await bumpConfigVersion(db);
  await loadIntegrationSnapshot(db);
}
