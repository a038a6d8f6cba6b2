import type { Db } from '@/lib/db';
import { DomainError } from '@/lib/model';
import { firingAlertRows } from '@/lib/queries';
import { assertSecretRole } from '@/lib/secret-roles';
import { isSecretConfigured } from '@/lib/secrets';
import type { AlertState } from './evaluator';
import { formatValue } from './metrics';
import { type ChannelConfig, type RuleConfig, ruleSchema, type SilenceConfig } from './schema';

export interface Rule extends RuleConfig {
  id: string;
  workspaceId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface InstanceView {
  id: string;
  ruleId: string;
  integrationSlug: string;
  state: AlertState;
  since: Date;
  value: number | null;
  /** the value as the UI shows it, in the rule metric's unit */
  display: string;
  silenced: boolean;
  evaluatedAt: Date;
}

/** Another rule or channel has the name (409). */
export class AlertConflictError extends DomainError {
  constructor(message: string) {
    super(message, 409, 'alert_conflict', 'name');
  }
}

type RuleRow = {
  id: string;
  workspaceId: string;
  config: string;
  createdAt: Date;
  updatedAt: Date;
  name: string;
  enabled: boolean;
};

export function ruleFromRow(row: RuleRow): Rule {
  const config = ruleSchema.parse(JSON.parse(row.config));
  return {
    ...config,
    name: row.name,
    enabled: row.enabled,
    id: row.id,
    workspaceId: row.workspaceId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

async function unique<T>(write: Promise<T>, name: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AlertConflictError(`"${name}" is already taken`);
    throw error;
  }
}

/** The workspace's rules (every workspace's with `workspaceId` undefined: the evaluator). */
export async function listRules(db: Db, workspaceId: string | undefined): Promise<Rule[]> {
  return (await db.alertRule.findMany({ where: { workspaceId }, orderBy: { name: 'asc' } })).map(ruleFromRow);
}

/** The rule, when it is the workspace's (another workspace's is null: a 404). */
export async function findRule(db: Db, workspaceId: string, id: string): Promise<Rule | null> {
  const row = await db.alertRule.findFirst({ where: { id, workspaceId } });
  return row ? ruleFromRow(row) : null;
}

/** `config` must already be validated with ruleSchema. Names are unique per workspace. */
export async function createRule(db: Db, workspaceId: string, config: RuleConfig): Promise<Rule> {
  const data = { workspaceId, name: config.name, enabled: config.enabled, config: JSON.stringify(config) };
  return ruleFromRow(await unique(db.alertRule.create({ data }), config.name));
}

/** Replaces a rule; its instances keep their state (a changed scope is pruned at the next evaluation). */
export async function updateRule(db: Db, workspaceId: string, id: string, config: RuleConfig): Promise<Rule | null> {
  if (!(await findRule(db, workspaceId, id))) return null;
  const data = { name: config.name, enabled: config.enabled, config: JSON.stringify(config) };
  return ruleFromRow(await unique(db.alertRule.update({ where: { id }, data }), config.name));
}

export async function deleteRule(db: Db, workspaceId: string, id: string): Promise<boolean> {
  return (await db.alertRule.deleteMany({ where: { id, workspaceId } })).count > 0;
}

/** Every instance of these rules (the workspace's), with its value shown in its rule's unit. */
export async function listInstances(db: Db, rules: Rule[]): Promise<InstanceView[]> {
  const metricOf = new Map(rules.map((r) => [r.id, r.metric]));
  const rows = await db.alertInstance.findMany({
    where: { ruleId: { in: [...metricOf.keys()] } },
    orderBy: { integrationSlug: 'asc' },
  });
  return rows.flatMap((row) => {
    const metric = metricOf.get(row.ruleId);
    if (!metric) return [];
    return [
      {
        id: row.id,
        ruleId: row.ruleId,
        integrationSlug: row.integrationSlug,
        state: row.state as AlertState,
        since: row.since,
        value: row.value,
        display: formatValue(metric, row.value),
        silenced: row.silenced,
        evaluatedAt: row.evaluatedAt,
      },
    ];
  });
}

/** State changes, newest first, of one rule or of all the workspace's. */
export async function stateHistory(db: Db, workspaceId: string, query: { ruleId?: string; limit?: number }) {
  const rows = await db.alertTransition.findMany({
    where: { instance: { rule: { workspaceId }, ...(query.ruleId && { ruleId: query.ruleId }) } },
    include: { instance: { select: { integrationSlug: true, rule: { select: { name: true, config: true } } } } },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: query.limit ?? 200,
  });
  return rows.map((t) => {
    const metric = ruleSchema.shape.metric.parse(JSON.parse(t.instance.rule.config).metric);
    return {
      id: t.id,
      at: t.at,
      ruleName: t.instance.rule.name,
      integrationSlug: t.instance.integrationSlug,
      from: t.fromState,
      to: t.toState,
      value: t.value,
      display: formatValue(metric, t.value),
    };
  });
}

/** What the overview tiles show: every firing, unsilenced instance of the workspace. */
export async function firingAlerts(db: Db, workspaceId: string) {
  return (await firingAlertRows(db, workspaceId)).map((row) => ({
    integrationSlug: row.integrationSlug,
    ruleName: row.ruleName,
    severity: ruleSchema.shape.severity.parse(row.severity),
    since: row.since,
  }));
}

/**
 * Thresholds to draw on an integration's charts: the lowest ">" threshold of each enabled rule on error
 * rate, p95 or p99 that covers the integration's every route.
 */
export async function chartThresholds(
  db: Db,
  workspaceId: string,
  slug: string,
): Promise<{ errorRate?: number; p95Ms?: number; p99Ms?: number }> {
  const out: { errorRate?: number; p95Ms?: number; p99Ms?: number } = {};
  const lowest = (current: number | undefined, value: number) =>
    current === undefined ? value : Math.min(current, value);
  for (const rule of await listRules(db, workspaceId)) {
    const c = rule;
    if (!c.enabled || c.route || (c.integrations.length > 0 && !c.integrations.includes(slug))) continue;
    if (c.comparator !== '>' && c.comparator !== '>=') continue;
    if (c.metric === 'error_rate') out.errorRate = lowest(out.errorRate, c.threshold / 100);
    else if (c.metric === 'latency_p95') out.p95Ms = lowest(out.p95Ms, c.threshold);
    else if (c.metric === 'latency_p99') out.p99Ms = lowest(out.p99Ms, c.threshold);
  }
  return out;
}

export async function listChannels(db: Db, workspaceId: string) {
  return db.alertChannel.findMany({ where: { workspaceId }, orderBy: { name: 'asc' } });
}

/** What the API shows of a channel: the variable's name and whether it is set (exposed names only), never its value. */
export function channelView<C extends { secretEnv: string }>(channel: C, env: NodeJS.ProcessEnv = process.env) {
  return { ...channel, secretConfigured: isSecretConfigured(channel.secretEnv, env) };
}

/** Throws SecretRoleConflictError when the channel's secret verifies an inbound webhook source. */
export async function createChannel(db: Db, workspaceId: string, config: ChannelConfig) {
  await assertSecretRole(db, 'outbound', [{ field: 'secretEnv', name: config.secretEnv }], workspaceId);
  return unique(db.alertChannel.create({ data: { ...config, workspaceId, url: config.url ?? null } }), config.name);
}

export async function findChannel(db: Db, workspaceId: string, id: string) {
  return db.alertChannel.findFirst({ where: { id, workspaceId } });
}

export async function deleteChannel(db: Db, workspaceId: string, id: string): Promise<boolean> {
  return (await db.alertChannel.deleteMany({ where: { id, workspaceId } })).count > 0;
}

export function silenceFromRow(row: {
  id: string;
  workspaceId: string;
  comment: string;
  ruleId: string | null;
  integration: string | null;
  matchers: string;
  startsAt: Date;
  endsAt: Date;
  recurrence: string;
  createdAt: Date;
}) {
  return {
    ...row,
    matchers: JSON.parse(row.matchers) as SilenceConfig['matchers'],
    recurrence: row.recurrence as SilenceConfig['recurrence'],
  };
}

export async function listSilences(db: Db, workspaceId: string) {
  return (await db.alertSilence.findMany({ where: { workspaceId }, orderBy: { startsAt: 'desc' } })).map(
    silenceFromRow,
  );
}

/** A silence naming a rule names one of the workspace's (another's is refused as absent). */
export async function createSilence(db: Db, workspaceId: string, config: SilenceConfig) {
  if (config.ruleId && !(await findRule(db, workspaceId, config.ruleId)))
    throw new DomainError(`invalid ruleId: no alert rule "${config.ruleId}"`, 400, 'silence_input', 'ruleId');
  const row = await db.alertSilence.create({
    data: {
      ...config,
      workspaceId,
      ruleId: config.ruleId ?? null,
      integration: config.integration ?? null,
      matchers: JSON.stringify(config.matchers),
    },
  });
  return silenceFromRow(row);
}

export async function findSilence(db: Db, workspaceId: string, id: string) {
  const row = await db.alertSilence.findFirst({ where: { id, workspaceId } });
  return row ? silenceFromRow(row) : null;
}

export async function deleteSilence(db: Db, workspaceId: string, id: string): Promise<boolean> {
  return (await db.alertSilence.deleteMany({ where: { id, workspaceId } })).count > 0;
}

export async function listNotifications(db: Db, workspaceId: string, limit = 100) {
  const rows = await db.alertNotification.findMany({ where: { workspaceId }, orderBy: { at: 'desc' }, take: limit });
  return rows.map(({ payload: _payload, deliveries, ...row }) => ({ ...row, deliveries: JSON.parse(deliveries) }));
}
