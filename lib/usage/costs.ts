import type { Db } from '@/lib/db';
import { usageReport } from './service';

import { type TileCosts, tileCosts } from './tile-costs';

/**
 * The overview refreshes every 5 s per viewer, and a month of usage rollups is not free to price: the tiles'
 * figures are kept this long per workspace (setPrice clears them).
 */
const TILE_COSTS_TTL_MS = 30_000;

/** Month-to-date cost by integration id, for the overview tiles: only integrations with a price. */
export function monthToDateCosts(db: Db, workspaceId: string, now: Date): Promise<TileCosts> {
  const kept = tileCosts().get(workspaceId);
  if (kept && now.getTime() - kept.at < TILE_COSTS_TTL_MS && kept.at <= now.getTime()) return kept.costs;
  const costs = usageReport(db, workspaceId, now).then((report) =>
    Object.fromEntries(
      report.flatMap((u) => (u.currency ? [[u.integrationId, { costMinor: u.costMinor, currency: u.currency }]] : [])),
    ),
  );
  costs.catch(() => tileCosts().delete(workspaceId));
  tileCosts().set(workspaceId, { at: now.getTime(), costs });
  return costs;
}
