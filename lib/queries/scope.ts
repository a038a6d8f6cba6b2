/**
 * The workspace a read is about (its id). `null` reads every workspace: only background work that spans
 * them passes it (the alert runner and the queue sampler, which key what they read by integration); a
 * request always passes its own workspace.
 */
export type WorkspaceScope = string | null;

/** A Prisma filter on an integration relation for the scope. */
export function integrationIn(workspaceId: WorkspaceScope): { workspaceId?: string } {
  return workspaceId === null ? {} : { workspaceId };
}
