import { processSingleton } from '@/lib/server/singleton';

export type TileCosts = Record<string, { costMinor: number; currency: string }>;

/**
 * The overview tiles' costs per workspace (costs.ts), kept briefly. One per process: the prices route that
 * clears it and the pages that read it are separate Next bundles, each with its own copy of this module.
 */
export function tileCosts(): Map<string, { at: number; costs: Promise<TileCosts> }> {
  return processSingleton('usage.tileCosts', () => new Map());
}

/** A price changed: the workspace's tiles are priced again at their next refresh. */
export function forgetTileCosts(workspaceId: string): void {
  tileCosts().delete(workspaceId);
}
