import { bumpConfigVersion, type Db } from '@/lib/db';
import { processSingleton } from '@/lib/server/singleton';
import { fromRow, type Integration, type IntegrationRow } from './rows';

interface Snapshot {
  bySlug: Map<string, Integration>;
  /** loads run one after another, so a slow older read never replaces a newer one */
  loads: Promise<unknown>;
}

// Every integration, parsed, held in memory so the data plane reads no database per call and keeps
// serving through a database outage. On globalThis (processSingleton): the custom server and Next's
// bundles each load this module.
const snapshot = processSingleton<Snapshot>('integration-snapshot', () => ({
  bySlug: new Map(),
  loads: Promise.resolve(),
}));

/** The integration the gateway serves under `slug`, from memory (loaded at start, refreshed on change). */
export function integrationForGateway(slug: string): Integration | null {
  return snapshot.bySlug.get(slug) ?? null;
}

/** Replaces the in-memory integrations with these rows (all of them). */
export function replaceIntegrationSnapshot(rows: IntegrationRow[]): void {
  snapshot.bySlug = new Map(rows.map((row) => [row.slug, fromRow(row)]));
}

/** Reads every integration and replaces the snapshot with them. */
export function loadIntegrationSnapshot(db: Db): Promise<void> {
  const load = snapshot.loads.then(async () => replaceIntegrationSnapshot(await db.integration.findMany()));
  snapshot.loads = load.catch(() => undefined);
  return load;
}

/** After a committed change: other instances see the new version within one poll, this one at once. */
export async function publishIntegrationChange(db: Db): Promise<void> {
  await bumpConfigVersion(db);
  await loadIntegrationSnapshot(db);
}
