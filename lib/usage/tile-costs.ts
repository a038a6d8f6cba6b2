export type TileCosts = Record<string, { costMinor: number; currency: string }>;

/** The overview tiles' costs per workspace (costs.ts), kept briefly; its own module so service.ts can clear it. */
export const tileCosts = new Map<string, { at: number; costs: Promise<TileCosts> }>();

/** A price changed: the workspace's tiles are priced again at their next refresh. */
export function forgetTileCosts(workspaceId: string): void {
  tileCosts.delete(workspaceId);
}
