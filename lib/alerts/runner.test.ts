import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { applyMigrations, createDb, type Db, LatencyHistogram } from '@/lib/db';
import type { Channel } from './delivery';
import type { AlertGroup } from './messages';
import { previewRuleInScope } from './preview';
import { DEFAULT_RULES, evaluateAlerts, LeaseLostError, seedDefaultRules } from './runner';
import { ruleSchema } from './schema';
import { chartThresholds, createRule, createSilence, firingAlerts, listNotifications, stateHistory } from './service';

// The evaluator against a real SQLite database: a fake clock (every evaluation gets its `now`), metric
// values injected as the rollup rows the telemetry recorder would write, and a recording channel.
const T0 = Date.parse('2026-11-26T10:00:00Z');
const MIN = 60_000;
let dir: string;
let db: Db;
let integrationId: string;
let sent: { channel: string; group: AlertGroup }[];

const send = async (channel: Channel, group: AlertGroup) => {
  sent.push({ channel: channel.name, group });
  return { channel: channel.name, ok: true, status: 200 };
};

/** One minute bucket with `count` calls of which `errors` failed, all at `latencyMs`. */
async function rollup(minute: number, count: number, errors: number, latencyMs = 50) {
  const hist = new LatencyHistogram();
  for (let i = 0; i < count; i++) hist.record(latencyMs);
  const base = {
    bucketStart: new Date(minute),
    bucketSeconds: 60,
    integrationId,
    route: '/v1/charges',
    instance: 'i1',
  };
  const row = { latencySumMs: count * latencyMs, latencyMaxMs: latencyMs, latencyHist: JSON.stringify(hist.toJSON()) };
  if (count - errors)
    await db.metricRollup.create({ data: { ...base, ...row, outcomeClass: 'success', count: count - errors } });
  if (errors) await db.metricRollup.create({ data: { ...base, ...row, outcomeClass: 'server_error', count: errors } });
}

async function evaluateAt(ms: number) {
  const result = await evaluateAlerts(db, new Date(ms), send);
  await result.delivered;
  return result;
}

async function instanceState() {
  return (await db.alertInstance.findFirstOrThrow({ where: { integrationId } })).state;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bw-alerts-'));
  const url = `file:${join(dir, 'alerts.db')}`;
  await applyMigrations(url);
  db = createDb(url);
});

after(async () => {
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  sent = [];
  await db.alertRule.deleteMany();
  await db.alertSilence.deleteMany();
  await db.alertChannel.deleteMany();
  await db.alertNotification.deleteMany();
  await db.integration.deleteMany();
  integrationId = (
    await db.integration.create({
      data: { workspaceId: 'default', slug: 'payments', name: 'Payments', baseUrl: 'http://127.0.0.1:1' },
    })
  ).id;
  await db.alertChannel.create({
    data: {
      workspaceId: 'default',
      name: 'ops',
      kind: 'webhook',
      url: 'http://127.0.0.1:1/hook',
      secretEnv: 'BREAKWATER_SECRET_OPS_HOOK',
    },
  });
});

describe('alert evaluation over stored rollups', () => {
  test('the preview covers every integration in scope, in units, with the spans it would have been pending and firing', async () => {
    await db.integration.create({
      data: { workspaceId: 'default', slug: 'geo', name: 'Geo', baseUrl: 'http://127.0.0.1:1' },
    });
    const now = Math.floor(Date.now() / MIN) * MIN;
    for (let m = 10; m >= 1; m--) await rollup(now - m * MIN, 100, m <= 6 && m >= 3 ? 50 : 0);
    const rule = ruleSchema.parse({ name: 'Errors', metric: 'error_rate', threshold: 5, window: '1m', for: '2m' });
    const previews = await previewRuleInScope(db, 'default', rule, null, new Date(now));
    assert.deepEqual(
      previews.map((p) => [p.integration, p.unit, p.firedCount]),
      [
        ['geo', '%', 0],
        ['payments', '%', 1],
      ],
    );
    const payments = previews[1];
    // Each point reads the minute before it: 50% from now-5m to now-2m, pending 2 minutes, then firing.
    assert.deepEqual(
      payments.spans.map((span) => [span.state, (span.from - now) / MIN, (span.to - now) / MIN]),
      [
        ['pending', -5, -3],
        ['firing', -3, -1],
      ],
    );
    assert.deepEqual(previews[0].spans, []);
  });

  test('an evaluator that lost its lease writes no transition and sends nothing; the holder notifies once', async () => {
    await createRule(
      db,
      'default',
      ruleSchema.parse({ name: 'Errors', metric: 'error_rate', threshold: 5, window: '1m', for: '0s' }),
    );
    await rollup(T0, 100, 50);
    const stale = evaluateAlerts(db, new Date(T0 + 30_000), send, async () => false);
    await assert.rejects(stale, LeaseLostError);
    assert.equal(await db.alertTransition.count(), 0);
    assert.equal(await db.alertNotification.count(), 0);
    assert.equal(sent.length, 0);
    await (await evaluateAlerts(db, new Date(T0 + 31_000), send, async () => true)).delivered;
    await (await evaluateAlerts(db, new Date(T0 + 32_000), send, async () => true)).delivered;
    assert.equal(await instanceState(), 'firing');
    assert.deepEqual(
      (await listNotifications(db, 'default')).map((n) => n.status),
      ['firing'],
    );
    assert.equal(sent.length, 1);
  });

  test('seeds the four default rules once', async () => {
    assert.equal(await seedDefaultRules(db), DEFAULT_RULES.length);
    assert.equal(await seedDefaultRules(db), 0);
    const rules = await db.alertRule.findMany({ orderBy: { name: 'asc' } });
    assert.deepEqual(
      rules.map((r) => r.name),
      ['Breaker open', 'High error rate', 'Slow p95', 'Slow p99'],
    );
    // ... and they are the thresholds drawn on every integration's charts.
    assert.deepEqual(await chartThresholds(db, 'default', 'any-integration'), {
      errorRate: 0.05,
      p95Ms: 1000,
      p99Ms: 2000,
    });
  });

  test('pending, firing after the for-duration, resolved; transitions keep their values; one message each', async () => {
    await createRule(
      db,
      'default',
      ruleSchema.parse({
        name: 'Errors',
        metric: 'error_rate',
        threshold: 5,
        window: '1m',
        for: '1m',
        annotations: { summary: '{{integration}} at {{value}} (limit {{threshold}})' },
      }),
    );
    await rollup(T0, 100, 1);
    await evaluateAt(T0 + 30_000);
    assert.equal(await instanceState(), 'inactive');
    await rollup(T0 + MIN, 100, 20);
    await evaluateAt(T0 + MIN + 10_000);
    assert.equal(await instanceState(), 'pending');
    await evaluateAt(T0 + MIN + 40_000);
    assert.equal(await instanceState(), 'pending');
    assert.equal(sent.length, 0);
    await rollup(T0 + 2 * MIN, 100, 30);
    await evaluateAt(T0 + 2 * MIN + 10_000);
    assert.equal(await instanceState(), 'firing');
    assert.equal(sent.length, 1);
    assert.equal(sent[0].group.status, 'firing');
    // a 1 min window reads the minute it overlaps before the current one: (20 + 30) / 200
    assert.equal(sent[0].group.alerts[0].annotations.summary, 'payments at 25.0% (limit 5.0%)');
    // Links cover the episode: from the window before it went pending to now.
    const explorer = new URL(sent[0].group.alerts[0].links!.explorer, 'http://bw');
    assert.equal(sent[0].group.alerts[0].links!.integration, '/integrations/payments');
    assert.equal(explorer.searchParams.get('integration'), 'payments');
    assert.equal(explorer.searchParams.get('from'), new Date(T0 + 10_000).toISOString());
    assert.equal(explorer.searchParams.get('to'), new Date(T0 + 2 * MIN + 10_000).toISOString());
    assert.equal(sent[0].group.rule.window, '1m');
    assert.deepEqual(await firingAlerts(db, 'default'), [
      { integrationSlug: 'payments', ruleName: 'Errors', severity: 'warning', since: new Date(T0 + 2 * MIN + 10_000) },
    ]);
    await evaluateAt(T0 + 2 * MIN + 40_000);
    assert.equal(sent.length, 1, 'no repeat before the repeat interval');
    await rollup(T0 + 3 * MIN, 100, 0);
    await evaluateAt(T0 + 3 * MIN + 10_000);
    assert.equal(await instanceState(), 'firing', 'the failing minute still overlaps the window');
    await rollup(T0 + 4 * MIN, 100, 0);
    await evaluateAt(T0 + 4 * MIN + 10_000);
    assert.equal(await instanceState(), 'resolved');
    assert.deepEqual(
      sent.map((s) => s.group.status),
      ['firing', 'resolved'],
    );
    const history = await stateHistory(db, 'default', {});
    assert.deepEqual(history.map((h) => [h.from, h.to, h.display]).reverse(), [
      ['inactive', 'pending', '10.5%'],
      ['pending', 'firing', '25.0%'],
      ['firing', 'resolved', '0.0%'],
    ]);
    const notifications = await listNotifications(db, 'default');
    assert.equal(notifications.length, 2);
    assert.deepEqual(notifications[0].deliveries, [{ channel: 'ops', ok: true, status: 200 }]);
  });

  test('one instance per integration in scope, one grouped message per rule', async () => {
    const other = await db.integration.create({
      data: { workspaceId: 'default', slug: 'email', name: 'Email', baseUrl: 'http://127.0.0.1:2' },
    });
    await db.integration.create({
      data: { workspaceId: 'default', slug: 'search', name: 'Search', baseUrl: 'http://127.0.0.1:3' },
    });
    await createRule(
      db,
      'default',
      ruleSchema.parse({
        name: 'Slow',
        metric: 'latency_p95',
        threshold: 500,
        window: '5m',
        for: '0s',
        integrations: ['payments', 'email'],
      }),
    );
    await rollup(T0, 10, 0, 900);
    const saved = integrationId;
    integrationId = other.id;
    await rollup(T0, 10, 0, 1200);
    integrationId = saved;
    await evaluateAt(T0 + 30_000);
    assert.equal(await db.alertInstance.count(), 2);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].group.alerts.map((a) => a.integration).sort(), ['email', 'payments']);
  });

  test('silenced instances evaluate and show as silenced but send nothing', async () => {
    const rule = await createRule(
      db,
      'default',
      ruleSchema.parse({ name: 'Errors', metric: 'error_rate', threshold: 5, window: '1m', for: '0s' }),
    );
    await createSilence(db, 'default', {
      comment: 'deploy',
      ruleId: rule.id,
      integration: null,
      matchers: [],
      startsAt: new Date(T0),
      endsAt: new Date(T0 + 10 * MIN),
      recurrence: 'none',
    });
    await rollup(T0, 10, 10);
    await evaluateAt(T0 + 30_000);
    const instance = await db.alertInstance.findFirstOrThrow();
    assert.equal(instance.state, 'firing');
    assert.equal(instance.silenced, true);
    assert.equal(sent.length, 0);
    assert.equal((await listNotifications(db, 'default')).length, 0);
    assert.deepEqual(await firingAlerts(db, 'default'), []);
  });

  test('no data: a window without calls resolves by default and fires with noData alerting', async () => {
    await createRule(
      db,
      'default',
      ruleSchema.parse({ name: 'Quiet ok', metric: 'error_rate', threshold: 5, window: '1m', for: '0s' }),
    );
    await createRule(
      db,
      'default',
      ruleSchema.parse({
        name: 'Quiet alerting',
        metric: 'error_rate',
        threshold: 5,
        window: '1m',
        for: '0s',
        noData: 'alerting',
      }),
    );
    await evaluateAt(T0);
    const states = await db.alertInstance.findMany({ include: { rule: true }, orderBy: { rule: { name: 'asc' } } });
    assert.deepEqual(
      states.map((s) => [s.rule.name, s.state, s.value]),
      [
        ['Quiet alerting', 'firing', null],
        ['Quiet ok', 'inactive', null],
      ],
    );
  });

  test('breaker open is read from breaker transitions, half-open included', async () => {
    await createRule(
      db,
      'default',
      ruleSchema.parse({
        name: 'Breaker',
        metric: 'breaker_open',
        comparator: '>=',
        threshold: 1,
        window: '1m',
        for: '1m',
      }),
    );
    const event = (at: number, toState: string) =>
      db.breakerEvent.create({ data: { integrationId, instance: 'i1', at: new Date(at), fromState: '-', toState } });
    await event(T0, 'open');
    await evaluateAt(T0 + 10_000);
    assert.equal(await instanceState(), 'pending');
    await event(T0 + 30_000, 'half-open');
    await event(T0 + 31_000, 'open');
    await evaluateAt(T0 + 75_000);
    assert.equal(await instanceState(), 'firing');
    await event(T0 + 80_000, 'closed');
    await evaluateAt(T0 + 90_000);
    assert.equal(await instanceState(), 'resolved');
  });
});
