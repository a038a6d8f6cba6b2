import type { Db } from '@/lib/db';
import { TRIPPED_BREAKER_STATES } from '@/lib/model';
import { addAggregate, alertMinuteTotals, breakerChanges, emptyAggregate, minuteOf, queueSeries } from '@/lib/queries';
import { budgetSeries } from '@/lib/usage';
import { durationMs } from './duration';
import { evaluate, initialState } from './evaluator';
import {
  ALL_INTEGRATIONS,
  isQueueMetric,
  isUsageMetric,
  metricUnit,
  queueValue,
  usageValue,
  windowValue,
} from './metrics';
import type { RuleConfig } from './schema';

const MINUTE_MS = 60_000;
export const PREVIEW_RANGE_MS = 86_400_000;

/** At most this many integrations are previewed at once; a rule over more shows the first by slug. */
export const PREVIEW_MAX_INTEGRATIONS = 12;

export interface Preview {
  integration: string;
  threshold: number;
  /** the metric's unit as the form labels it: %, ms, /s, ... (empty for a plain ratio) */
  unit: string;
  points: { at: number; value: number | null }[];
  /** when the replayed rule would have been pending or firing (`to` is the end of the range while it lasts) */
  spans: { from: number; to: number; state: 'pending' | 'firing' }[];
  /** how many times the rule would have started firing over the range */
  firedCount: number;
}

/**
 * The rule's metric for one integration over the last 24 h, one point a minute (each over the rule's
 * window, as the evaluator reads it), and a replay of the state machine over those points.
 */
export async function previewRule(
  db: Db,
  workspaceId: string,
  rule: RuleConfig,
  integration: { id: string; slug: string },
  now: Date,
): Promise<Preview> {
  const windowMs = durationMs(rule.window);
  const end = minuteOf(now.getTime());
  const start = end - PREVIEW_RANGE_MS;
  const values: { at: number; value: number | null }[] = [];
  if (rule.metric === 'breaker_open') {
    const changes = await breakerChanges(db, null, { from: new Date(start), to: now, integrationId: integration.id });
    const states = new Map<string, string>();
    let next = 0;
    for (let at = start; at <= end; at += MINUTE_MS) {
      for (; next < changes.length && changes[next].at <= at; next++)
        states.set(changes[next].instance, changes[next].toState);
      values.push({ at, value: [...states.values()].some((s) => TRIPPED_BREAKER_STATES.has(s)) ? 1 : 0 });
    }
  } else if (isQueueMetric(rule.metric)) {
    // The sampled queue, one point a minute (its highest sample); a minute nothing sampled is no data.
    const series = await queueSeries(db, workspaceId, {
      from: new Date(start),
      to: now,
      integrationId: integration.id === ALL_INTEGRATIONS.id ? null : integration.id,
      stepSeconds: MINUTE_MS / 1000,
    });
    for (const point of series.points)
      values.push({
        at: point.at.getTime(),
        value:
          point.depth === null
            ? null
            : queueValue(rule.metric, { ...point, depth: point.depth, deadLetters: point.deadLetters ?? 0 }),
      });
  } else if (isUsageMetric(rule.metric)) {
    const points: Date[] = [];
    for (let at = start; at <= end; at += MINUTE_MS) points.push(new Date(at));
    const series = await budgetSeries(db, workspaceId, integration.id, points);
    const metric = rule.metric;
    points.forEach((at, i) => {
      values.push({ at: at.getTime(), value: usageValue(metric, series[i]) });
    });
  } else {
    const minutes =
      (
        await alertMinuteTotals(db, null, {
          from: new Date(start - windowMs),
          to: now,
          integrationId: integration.id,
          route: rule.route,
        })
      ).get(integration.id) ?? new Map();
    for (let at = start; at <= end; at += MINUTE_MS) {
      const sum = emptyAggregate();
      // The whole minutes of the window before `at`; live evaluation also reads the current partial one.
      for (let bucket = minuteOf(at - windowMs); bucket < at; bucket += MINUTE_MS) {
        const t = minutes.get(bucket);
        if (t) addAggregate(sum, t);
      }
      values.push({ at, value: windowValue(rule.metric, sum, windowMs) });
    }
  }
  const condition = {
    comparator: rule.comparator,
    threshold: rule.threshold,
    forMs: durationMs(rule.for),
    keepFiringForMs: durationMs(rule.keepFiringFor),
    noData: rule.noData,
  };
  let state = initialState(start);
  let firedCount = 0;
  const spans: Preview['spans'] = [];
  for (const point of values) {
    const step = evaluate(state, point.value, condition, point.at);
    if (step.transition) {
      const open = spans.at(-1);
      if (open && open.to === end) open.to = point.at;
      const to = step.transition.to;
      if (to === 'pending' || to === 'firing') spans.push({ from: point.at, to: end, state: to });
      if (to === 'firing') firedCount++;
    }
    state = step.next;
  }
  return {
    integration: integration.slug,
    threshold: rule.threshold,
    unit: metricUnit(rule.metric),
    points: values,
    spans,
    firedCount,
  };
}

/**
 * Previews for the named integration, or for every one in the rule's scope (the first
 * PREVIEW_MAX_INTEGRATIONS by slug; the whole queue for a queue rule over every integration); empty when
 * the scope holds no integration.
 */
export async function previewRuleInScope(
  db: Db,
  workspaceId: string,
  rule: RuleConfig,
  slug: string | null | undefined,
  now: Date,
): Promise<Preview[]> {
  if (isQueueMetric(rule.metric) && !slug && rule.integrations.length === 0)
    return [await previewRule(db, workspaceId, rule, ALL_INTEGRATIONS, now)];
  const integrations = await db.integration.findMany({
    where: { workspaceId, ...(slug ? { slug } : rule.integrations.length ? { slug: { in: rule.integrations } } : {}) },
    select: { id: true, slug: true },
    orderBy: { slug: 'asc' },
    take: PREVIEW_MAX_INTEGRATIONS,
  });
  return Promise.all(integrations.map((integration) => previewRule(db, workspaceId, rule, integration, now)));
}
