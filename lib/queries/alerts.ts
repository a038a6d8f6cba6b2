import type { Db } from '@/lib/db';
import type { WorkspaceScope } from './scope';

export interface FiringAlertRow {
  integrationId: string;
  integrationSlug: string;
  ruleName: string;
  /** as stored in the rule's config; lib/alerts validates it */
  severity: string | undefined;
  since: Date;
}

/** Every firing, unsilenced instance of an enabled rule of the workspace, oldest first. */
export async function firingAlertRows(db: Db, workspaceId: WorkspaceScope): Promise<FiringAlertRow[]> {
  const rows = await db.alertInstance.findMany({
    where: {
      state: 'firing',
      silenced: false,
      rule: { enabled: true, ...(workspaceId === null ? {} : { workspaceId }) },
    },
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

/** Something that changed at one instant on an integration's charts: an alert firing or resolving, a breaker moving. */
export interface ChartAnnotation {
  at: Date;
  kind: 'alert' | 'breaker';
  /** the state entered: firing or resolved for an alert; open, half-open or closed for a breaker */
  state: string;
  /** the rule's name, or the breaker's instance */
  subject: string;
  /** why a breaker moved; the measured value when an alert moved */
  detail: string | null;
}

/** At most this many of each kind: a flapping rule or breaker would otherwise cover a chart in lines. */
export const MAX_ANNOTATIONS = 200;

/**
 * Alert transitions into and out of firing and breaker state changes of one integration in [from, to],
 * oldest first: the events every chart of the integration page marks. Pending steps are left out (a rule
 * that never fired changed nothing a reader needs to see).
 */
export async function chartAnnotations(
  db: Db,
  workspaceId: string,
  integrationId: string,
  from: Date,
  to: Date,
): Promise<ChartAnnotation[]> {
  const at = { gte: from, lte: to };
  const [alerts, breakers] = await Promise.all([
    db.alertTransition.findMany({
      where: {
        at,
        OR: [{ toState: 'firing' }, { fromState: 'firing' }],
        instance: { integrationId, rule: { workspaceId } },
      },
      select: { at: true, toState: true, value: true, instance: { select: { rule: { select: { name: true } } } } },
      orderBy: { at: 'desc' },
      take: MAX_ANNOTATIONS,
    }),
    db.breakerEvent.findMany({
      where: { at, integrationId, integration: { workspaceId } },
      select: { at: true, toState: true, instance: true, reason: true },
      orderBy: { at: 'desc' },
      take: MAX_ANNOTATIONS,
    }),
  ]);
  const annotations: ChartAnnotation[] = [
    ...alerts.map((t) => ({
      at: t.at,
      kind: 'alert' as const,
      state: t.toState === 'firing' ? 'firing' : 'resolved',
      subject: t.instance.rule.name,
      detail: t.value === null ? null : String(t.value),
    })),
    ...breakers.map((e) => ({
      at: e.at,
      kind: 'breaker' as const,
      state: e.toState,
      subject: e.instance,
      detail: e.reason,
    })),
  ];
  return annotations.sort((a, b) => a.at.getTime() - b.at.getTime());
}
