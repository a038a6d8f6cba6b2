import type { Db } from '@/lib/db';
import { integrationIn, type WorkspaceScope } from './scope';

/** UsageRollup counts in [from, to), summed over instances, for the scope's integrations (or one of them). */
export async function usageCounts(db: Db, workspaceId: WorkspaceScope, from: Date, to: Date, integrationId?: string) {
  const groups = await db.usageRollup.groupBy({
    by: ['bucketStart', 'integrationId', 'route', 'outcomeClass', 'caller', 'attemptKind', 'environment'],
    where: {
      bucketStart: { gte: from, lt: to },
      integration: integrationIn(workspaceId),
      ...(integrationId ? { integrationId } : {}),
    },
    _sum: { attempts: true },
  });
  return groups.map(({ _sum, ...key }) => ({ ...key, attempts: _sum.attempts ?? 0 }));
}

/** Names of the scope's API tokens by id: usage rows name their caller by token id. */
export async function callerNames(db: Db, workspaceId: WorkspaceScope, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const tokens = await db.apiToken.findMany({
    where: { id: { in: ids }, ...(workspaceId === null ? {} : { workspaceId }) },
    select: { id: true, name: true },
  });
  return new Map(tokens.map((t) => [t.id, t.name]));
}
