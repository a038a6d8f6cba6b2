import type { Db } from '@/lib/db';

export interface FiringAlertRow {
  integrationId: string;
  integrationSlug: string;
  ruleName: string;
  /** as stored in the rule's config; lib/alerts validates it */
  severity: string | undefined;
  since: Date;
}

/** Every firing, unsilenced instance of an enabled rule (of the workspace's rules when given), oldest first. */
export async function firingAlertRows(db: Db, workspaceId?: string): Promise<FiringAlertRow[]> {
  const rows = await db.alertInstance.findMany({
    where: { state: 'firing', silenced: false, rule: { enabled: true, workspaceId } },
    select: { integrationId: true, integrationSlug: true, since: true, rule: { select: { name: true, config: true } } },
    orderBy: { since: 'asc' },
  });
  return rows.map((row) => ({
    integrationId: row.integrationId,
    integrationSlug: row.integrationSlug,
    ruleName: row.rule.name,
    severity: (JSON.parse(row.rule.config) as { severity?: string }).severity,
    since: row.since,
  }));
}
