import { randomUUID } from 'node:crypto';
import { acquireLease, confirmLease, type Db, getBackgroundDb, getDb, type HeldLease, releaseLease } from '@/lib/db';
import { log } from '@/lib/logging';
import { DEFAULT_WORKSPACE_ID, TRIPPED_BREAKER_STATES } from '@/lib/model';
import {
  type Aggregate,
  alertWindowTotals,
  breakerChanges,
  emptyAggregate,
  emptyQueueStats,
  minuteOf,
  type QueueSnapshot,
  queueSnapshot,
} from '@/lib/queries';
import { setting } from '@/lib/server/env';
import { processSingleton } from '@/lib/server/singleton';
import { budgetValues } from '@/lib/usage';
import { type Channel, type Delivery, deliverChecked } from './delivery';
import { durationMs } from './duration';
import { evaluate, type InstanceState, initialState, notificationDue } from './evaluator';
import {
  type AlertGroup,
  type AlertOfGroup,
  alertLinks,
  groupSummary,
  renderAnnotation,
  webhookPayload,
} from './messages';
import {
  ALL_INTEGRATIONS,
  isQueueMetric,
  isUsageMetric,
  queueValue,
  type UsageValues,
  usageValue,
  windowValue,
} from './metrics';
import { type RuleInput, ruleSchema } from './schema';
import { createRule, listRules, type Rule, silenceFromRow } from './service';
import { isSilenced } from './silences';

/**
 * Defaults from the field, seeded when no rule exists. Each keeps firing 5 minutes after its condition last
 * held (Prometheus' keep_firing_for), so a value flapping around the threshold is one episode, not five.
 */
export const DEFAULT_RULES: RuleInput[] = [
  {
    name: 'High error rate',
    metric: 'error_rate',
    threshold: 5,
    window: '5m',
    for: '1m',
    keepFiringFor: '5m',
    severity: 'critical',
    annotations: { summary: '{{integration}}: error rate {{value}} above {{threshold}} over 5 minutes' },
  },
  {
    name: 'Slow p95',
    metric: 'latency_p95',
    threshold: 1000,
    window: '5m',
    for: '1m',
    keepFiringFor: '5m',
    annotations: { summary: '{{integration}}: p95 latency {{value}} above {{threshold}}' },
  },
  {
    name: 'Slow p99',
    metric: 'latency_p99',
    threshold: 2000,
    window: '5m',
    // p99 of a short window swings with a handful of slow calls: ask for it to hold longer.
    for: '5m',
    keepFiringFor: '5m',
    annotations: { summary: '{{integration}}: p99 latency {{value}} above {{threshold}}' },
  },
  {
    name: 'Breaker open',
    metric: 'breaker_open',
    comparator: '>=',
    threshold: 1,
    window: '1m',
    for: '1m',
    keepFiringFor: '5m',
    severity: 'critical',
    annotations: { summary: '{{integration}}: circuit breaker open for more than a minute' },
  },
];

/**
 * Budget rules the rule form offers as a start (not seeded: a budget is the workspace's own figure). Amounts
 * are in each integration's price currency.
 */
export const BUDGET_RULES: RuleInput[] = [
  {
    name: 'Monthly budget',
    metric: 'cost_month_to_date',
    threshold: 100,
    window: '1m',
    for: '0s',
    annotations: { summary: '{{integration}}: {{value}} spent this month, above the budget of {{threshold}}' },
  },
  {
    name: 'Forecast over budget',
    metric: 'cost_forecast_month',
    threshold: 100,
    window: '1m',
    for: '1h',
    annotations: { summary: '{{integration}}: forecast {{value}} this month, above the budget of {{threshold}}' },
  },
  {
    name: 'Included quota nearly used',
    metric: 'quota_used_ratio',
    comparator: '>=',
    threshold: 0.8,
    window: '1m',
    for: '0s',
    annotations: { summary: '{{integration}}: {{value}} of the included monthly quota used' },
  },
];

/** Seeds the default rules into a workspace that has none. */
export async function seedDefaultRules(db: Db, workspaceId: string = DEFAULT_WORKSPACE_ID): Promise<number> {
  if ((await db.alertRule.count({ where: { workspaceId } })) > 0) return 0;
  for (const rule of DEFAULT_RULES) await createRule(db, workspaceId, ruleSchema.parse(rule));
  return DEFAULT_RULES.length;
}

export interface EvaluationResult {
  evaluated: number;
  groups: AlertGroup[];
  /** channel deliveries run off the evaluation; this settles when they are all recorded */
  delivered: Promise<void>;
}

export type Deliver = (channel: Channel, group: AlertGroup) => Promise<Delivery>;

/** Resolves true while this evaluator still holds the lease (and extends it); false stops its writes. */
export type Fence = () => Promise<boolean>;

/** Thrown when the evaluator lost its lease mid-evaluation: the new holder evaluates instead. */
export class LeaseLostError extends Error {
  constructor() {
    super('the alert evaluator lease passed to another instance; this evaluation stops before writing');
  }
}

/** The name of the lease row the evaluating instance holds. */
export const EVALUATOR_LEASE = 'alert-evaluator';

function labelsOf(rule: Rule, integration: string): Record<string, string> {
  return { ...rule.labels, alertname: rule.name, integration, severity: rule.severity };
}

/** Per integration: 1 when any instance's breaker is open or half-open now, else 0 (never no data). */
async function breakerValues(db: Db, now: Date): Promise<Map<string, number>> {
  const changes = await breakerChanges(db, null, { from: now, to: now });
  const open = new Map<string, number>();
  for (const c of changes) if (TRIPPED_BREAKER_STATES.has(c.toState)) open.set(c.integrationId, 1);
  return open;
}

/** The rule's workspace's whole queue for ALL_INTEGRATIONS, else the integration's (empty when it has no jobs). */
function jobsOf(snapshot: QueueSnapshot, workspaceId: string, integrationId: string) {
  if (integrationId === ALL_INTEGRATIONS.id) return snapshot.byWorkspace.get(workspaceId) ?? emptyQueueStats();
  return snapshot.byIntegration.get(integrationId)?.stats ?? emptyQueueStats();
}

/**
 * One evaluation of every enabled rule for every integration in its scope, at `now`: reads the window's
 * rollups, steps each instance's state machine, stores states and transitions, records grouped
 * notifications in the in-app list and hands them to the channels.
 */
export async function evaluateAlerts(
  db: Db,
  now: Date,
  send: Deliver = (channel, group) => deliverChecked(db, channel, group),
  fence?: Fence,
): Promise<EvaluationResult> {
  const at = now.getTime();
  const publicUrl = setting('BREAKWATER_PUBLIC_URL');
  // Checked before the states are written and before the notifications: one notification per transition even
  // when a paused holder wakes up after another instance took the lease.
  const fenced = async () => {
    if (fence && !(await fence())) throw new LeaseLostError();
  };
  const [rules, integrations, silenceRows, instanceRows, channels] = await Promise.all([
    listRules(db, undefined),
    db.integration.findMany({ select: { id: true, slug: true, workspaceId: true } }),
    db.alertSilence.findMany({ where: { startsAt: { lte: now } } }),
    db.alertInstance.findMany(),
    db.alertChannel.findMany({ where: { enabled: true } }),
  ]);
  const silences = silenceRows.map(silenceFromRow);
  const existing = new Map(instanceRows.map((row) => [`${row.ruleId}\u0000${row.integrationId}`, row]));
  const keep = new Set<string>();
  const totalsByWindow = new Map<string, Promise<Map<string, Aggregate>>>();
  let breakers: Promise<Map<string, number>> | undefined;
  let queue: Promise<QueueSnapshot> | undefined;
  let budgets: Promise<Map<string, UsageValues>> | undefined;
  const groups: AlertGroup[] = [];
  /** each group's workspace: its rule's; its notification and channels are that workspace's only */
  const workspaceOf = new Map<string, string>();
  let evaluated = 0;
  const writes: (() => Promise<void>)[] = [];

  for (const rule of rules.filter((r) => r.enabled)) {
    const windowMs = durationMs(rule.window);
    const condition = {
      comparator: rule.comparator,
      threshold: rule.threshold,
      forMs: durationMs(rule.for),
      keepFiringForMs: durationMs(rule.keepFiringFor),
      noData: rule.noData,
    };
    let open = new Map<string, number>();
    let totals = new Map<string, Aggregate>();
    let jobs: QueueSnapshot | undefined;
    let usage = new Map<string, UsageValues>();
    if (rule.metric === 'breaker_open') {
      breakers ??= breakerValues(db, now);
      open = await breakers;
    } else if (isQueueMetric(rule.metric)) {
      queue ??= queueSnapshot(db, now);
      jobs = await queue;
    } else if (isUsageMetric(rule.metric)) {
      budgets ??= budgetValues(db, now);
      usage = await budgets;
    } else {
      // Rules sharing a window and route share one read.
      const key = `${windowMs}\u0000${rule.route ?? ''}`;
      if (!totalsByWindow.has(key))
        totalsByWindow.set(key, alertWindowTotals(db, null, { at: now, windowMs, route: rule.route }));
      totals = await totalsByWindow.get(key)!;
    }
    // What the read covers: the window's whole minutes and the current partial one (request rate divides by it).
    const spanMs = at - minuteOf(at - windowMs);
    const due: Record<'firing' | 'resolved', AlertOfGroup[]> = { firing: [], resolved: [] };
    // A queue rule over every integration watches the whole queue: one instance, not one per integration.
    const inScope =
      jobs && rule.integrations.length === 0
        ? [ALL_INTEGRATIONS]
        : integrations.filter(
            (i) =>
              i.workspaceId === rule.workspaceId &&
              (rule.integrations.length === 0 || rule.integrations.includes(i.slug)),
          );
    const ruleSilences = silences.filter((s) => s.workspaceId === rule.workspaceId);
    for (const integration of inScope) {
      const key = `${rule.id}\u0000${integration.id}`;
      keep.add(key);
      const row = existing.get(key);
      const prev: InstanceState = row
        ? {
            state: row.state as InstanceState['state'],
            since: row.since.getTime(),
            lastBreachAt: row.lastBreachAt?.getTime() ?? null,
            value: row.value,
            notifiedAt: row.notifiedAt?.getTime() ?? null,
          }
        : initialState(at);
      const value =
        rule.metric === 'breaker_open'
          ? (open.get(integration.id) ?? 0)
          : isQueueMetric(rule.metric)
            ? queueValue(rule.metric, jobsOf(jobs!, rule.workspaceId, integration.id))
            : isUsageMetric(rule.metric)
              ? usageValue(rule.metric, usage.get(integration.id))
              : windowValue(rule.metric, totals.get(integration.id) ?? emptyAggregate(), spanMs);
      const { next, transition } = evaluate(prev, value, condition, at);
      const labels = labelsOf(rule, integration.slug);
      const silenced = isSilenced(ruleSilences, { ruleId: rule.id, integration: integration.slug, labels }, at);
      const message = notificationDue(prev, next, silenced, durationMs(rule.repeatInterval), at);
      if (message === 'firing') next.notifiedAt = at;
      if (message) {
        const annotations = Object.fromEntries(
          Object.entries(rule.annotations).map(([name, template]) => [
            name,
            renderAnnotation(template, {
              metric: rule.metric,
              value,
              threshold: rule.threshold,
              integration: integration.slug,
            }),
          ]),
        );
        due[message].push({
          integration: integration.slug,
          status: message,
          value,
          since: new Date(next.since),
          labels,
          annotations,
          // From the window that began the episode (pending for `for`, then firing) to now.
          ...(integration !== ALL_INTEGRATIONS && {
            links: alertLinks(publicUrl, integration.slug, new Date(next.since - condition.forMs - windowMs), now),
          }),
        });
      }
      if (message === 'resolved') next.notifiedAt = null;
      const data = {
        integrationSlug: integration.slug,
        state: next.state,
        since: new Date(next.since),
        lastBreachAt: next.lastBreachAt === null ? null : new Date(next.lastBreachAt),
        value: next.value,
        silenced,
        evaluatedAt: now,
        notifiedAt: next.notifiedAt === null ? null : new Date(next.notifiedAt),
      };
      // Written after every rule is read, behind the fence: a state written by an evaluator that lost its lease
      // would make the holder see the transition as already notified.
      writes.push(async () => {
        const saved = await db.alertInstance.upsert({
          where: { ruleId_integrationId: { ruleId: rule.id, integrationId: integration.id } },
          create: { ruleId: rule.id, integrationId: integration.id, ...data },
          update: data,
        });
        if (transition)
          await db.alertTransition.create({
            data: {
              instanceId: saved.id,
              at: new Date(transition.at),
              fromState: transition.from,
              toState: transition.to,
              value: transition.value,
            },
          });
      });
      evaluated++;
    }
    for (const status of ['firing', 'resolved'] as const) {
      if (due[status].length === 0) continue;
      const id = `msg_${randomUUID().replaceAll('-', '')}`;
      workspaceOf.set(id, rule.workspaceId);
      groups.push({
        id,
        status,
        at: now,
        rule: {
          id: rule.id,
          name: rule.name,
          severity: rule.severity,
          metric: rule.metric,
          comparator: rule.comparator,
          threshold: rule.threshold,
          window: rule.window,
        },
        alerts: due[status],
      });
    }
  }

  // Instances of integrations gone or out of scope go; those of disabled rules keep their history.
  const enabled = new Set(rules.filter((r) => r.enabled).map((r) => r.id));
  const stale = instanceRows
    .filter((row) => enabled.has(row.ruleId) && !keep.has(`${row.ruleId}\u0000${row.integrationId}`))
    .map((row) => row.id);
  await fenced();
  for (const write of writes) await write();
  if (stale.length) await db.alertInstance.deleteMany({ where: { id: { in: stale } } });

  if (groups.length) await fenced();
  for (const group of groups) {
    await db.alertNotification.create({
      data: {
        id: group.id,
        workspaceId: workspaceOf.get(group.id)!,
        ruleId: group.rule.id,
        ruleName: group.rule.name,
        status: group.status,
        at: group.at,
        summary: groupSummary(group),
        payload: JSON.stringify(webhookPayload(group)),
      },
    });
  }
  const delivered = Promise.all(
    groups.map(async (group) => {
      const own = channels.filter((channel) => channel.workspaceId === workspaceOf.get(group.id));
      if (own.length === 0) return;
      const deliveries = await Promise.all(own.map((channel) => send(channel, group)));
      for (const d of deliveries.filter((d) => !d.ok))
        log.warn({ channel: d.channel, status: d.status, error: d.error }, 'alert notification not delivered');
      await db.alertNotification.update({ where: { id: group.id }, data: { deliveries: JSON.stringify(deliveries) } });
    }),
  ).then(() => undefined);
  return { evaluated, groups, delivered };
}

/**
 * Server start: evaluates every BREAKWATER_ALERT_EVAL_INTERVAL_MS (30 s by
 * default) off the request path, on one instance of a cluster only: the one holding the evaluator lease
 * (`holder` is this instance's id), which first seeds the default rules into a workspace that has none. The
 * lease is renewed every quarter of the interval (250 ms at least) and lasts twice that, so when its holder
 * dies another instance takes it (and evaluates at once) within three quarters of an interval. A slow
 * evaluation skips ticks rather than overlapping. Idempotent; the returned function gives the lease up (at shutdown).
 */
export function startAlerting(holder: string, env: NodeJS.ProcessEnv = process.env): () => Promise<void> {
  const alerting = processSingleton('alerting', () => ({ stop: undefined as (() => Promise<void>) | undefined }));
  if (alerting.stop) return alerting.stop;
  const intervalMs = setting('BREAKWATER_ALERT_EVAL_INTERVAL_MS', env);
  // At least 250 ms: a lease shorter than an event-loop stall would change hands for nothing.
  const renewEveryMs = Math.max(250, Math.floor(intervalMs / 4));
  const ttlMs = 2 * renewEveryMs;
  const db = getDb();
  // The lease is renewed every quarter interval: on a locked SQLite file it must fail fast, not stall calls.
  const leaseDb = getBackgroundDb();
  let lease: HeldLease | null = null;
  let renewing = false;
  let evaluating = false;
  let lastEvaluationAt = 0;
  let seeded = false;
  const evaluate = async (held: HeldLease) => {
    evaluating = true;
    lastEvaluationAt = Date.now();
    try {
      // Seeded by the lease holder only: instances starting together would each see no rule and seed them all.
      if (!seeded) {
        const created = await seedDefaultRules(db, DEFAULT_WORKSPACE_ID);
        seeded = true;
        if (created) log.info({ seeded: created }, 'default alert rules created');
      }
      await evaluateAlerts(db, new Date(), undefined, () => confirmLease(leaseDb, held, ttlMs));
    } catch (error) {
      if (error instanceof LeaseLostError) log.warn(error.message);
      else log.error({ err: error }, 'alert evaluation failed; it runs again at the next interval');
    } finally {
      evaluating = false;
    }
  };
  const tick = async () => {
    if (renewing) return;
    renewing = true;
    try {
      const held = await acquireLease(leaseDb, EVALUATOR_LEASE, holder, ttlMs);
      if (held && held.token !== lease?.token) log.info({ token: held.token }, 'this instance evaluates alerts now');
      if (!held && lease) log.info('another instance evaluates alerts now');
      lease = held;
      // Due a little early rather than a whole renewal late: the ticks are a quarter of the interval apart.
      if (held && !evaluating && Date.now() - lastEvaluationAt >= intervalMs - renewEveryMs / 2) void evaluate(held);
    } catch (error) {
      log.error({ err: error }, 'alert evaluator lease check failed; it runs again shortly');
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(tick, renewEveryMs);
  timer.unref();
  void tick();
  alerting.stop = async () => {
    clearInterval(timer);
    if (lease)
      await releaseLease(leaseDb, lease).catch((error) => log.warn({ err: error }, 'releasing the lease failed'));
  };
  return alerting.stop;
}
