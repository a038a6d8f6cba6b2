import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { evaluateAlerts, ruleSchema } from '@/lib/alerts';
import { createRule } from '@/lib/alerts/service';
import { applyMigrations, createDb, type Db } from '@/lib/db';
import { TelemetryRecorder } from '@/lib/telemetry/recorder';
import { applyRetention, DEFAULT_RETENTION } from '@/lib/telemetry/retention';
import { failedCall } from '@/test/support/calls';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';
import { chargeback, chargebackCsv, priceInputSchema, setPrice, usageReport } from './index';

// Usage and cost end to end on the suite's database (BREAKWATER_TEST_PROVIDER=postgresql runs it on
// PostgreSQL): the recorder counts billable attempts into UsageRollup as calls end, prices turn them into
// cost, the CSV export adds up to the API's figures, and a budget rule fires on them. Calls start now (the
// recorder forgets hours that are over, as it does in production) and every read passes its `now`.

let database: TestDatabase;
let db: Db;
const T = Date.now();
const NOW = new Date(T + 1000);
const HOUR = new Date(Math.floor(T / 3_600_000) * 3_600_000);
const MONTH = HOUR.toISOString().slice(0, 7);

function attempt(number: number, status: number, hedged = false) {
  return { number, startedAt: T, durationMs: 5, status, delayBeforeMs: 0, spanId: 'b7ad6b7169203331', hedged };
}

const ok = (i: number) =>
  failedCall(i, { startedAt: T, outcome: 'success', status: 200, attempts: [attempt(1, 200)], route: '/v1/charges' });

before(async () => {
  database = await createTestDatabase();
  await applyMigrations(database.url);
  db = createDb(database.url);
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_pay', slug: 'payments', name: 'Payments', baseUrl: 'http://x' },
  });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

describe('usage and cost over stored rollups', () => {
  test('the recorder counts each attempt by kind, outcome and caller; a rewrite never counts twice', async () => {
    const recorder = new TelemetryRecorder(db, { instance: 'usage-1' });
    for (let i = 0; i < 10; i++) recorder.record('int_pay', ok(i), { caller: 'tok_a' });
    // one call: a 503, a retry that got a 429 and a hedge that answered
    recorder.record(
      'int_pay',
      failedCall(10, {
        startedAt: T,
        route: '/v1/charges',
        outcome: 'success',
        attempts: [attempt(1, 503), attempt(2, 429), attempt(3, 200, true)],
        retries: 2,
      }),
      { caller: 'tok_a' },
    );
    // served from the cache, refused by the open breaker: no attempt
    recorder.record('int_pay', failedCall(11, { startedAt: T, outcome: 'success', cache: 'hit', attempts: [] }), {});
    recorder.record('int_pay', failedCall(12, { startedAt: T, outcome: 'circuit_open', attempts: [] }), {});
    recorder.record('int_pay', ok(13), { replayOfId: 'call-1' });
    await recorder.flush();
    for (let i = 20; i < 25; i++) recorder.record('int_pay', ok(i), { caller: 'tok_a' });
    await recorder.flush();
    await recorder.flush();

    const rows = await db.usageRollup.findMany({ where: { instance: 'usage-1' } });
    const counted = Object.fromEntries(
      rows.map((r) => [`${r.caller} ${r.attemptKind} ${r.outcomeClass} ${r.route}`, r.attempts]),
    );
    assert.deepEqual(counted, {
      'tok_a first success /v1/charges': 15,
      'tok_a first server_error /v1/charges': 1,
      'tok_a retry rate_limited /v1/charges': 1,
      'tok_a hedge success /v1/charges': 1,
      'internal first cached /cards/:id': 1,
      'internal first short_circuited /cards/:id': 1,
      'replay replay success /v1/charges': 1,
    });
    assert.ok(rows.every((r) => r.bucketStart.getTime() === HOUR.getTime()));
  });

  test('a usage row whose integration was deleted is dropped without holding back the others', async () => {
    const recorder = new TelemetryRecorder(db, { instance: 'usage-fk', rollupGiveUpMs: 0 });
    recorder.record('int_gone', ok(1), { caller: 'tok_b' });
    recorder.record('int_pay', ok(2), { caller: 'tok_b' });
    await recorder.flush();
    const rows = await db.usageRollup.findMany({ where: { instance: 'usage-fk' } });
    assert.deepEqual(
      rows.map((r) => [r.integrationId, r.caller, r.attempts]),
      [['int_pay', 'tok_b', 1]],
    );
    await db.usageRollup.deleteMany({ where: { instance: 'usage-fk' } });
  });

  test('priced: retries and the cache as configured; the CSV adds up to the API; a budget rule fires', async () => {
    const input = priceInputSchema.parse({
      effectiveFrom: `${MONTH}-01`,
      currency: 'EUR',
      rules: { perCall: '0.5', routes: [{ route: '/cards/:id', perCall: '2' }], outcomes: { rate_limited: '0' } },
    });
    await setPrice(db, 'default', 'payments', input, 'test');
    const [usage] = await usageReport(db, 'default', NOW);
    // 15 + 1 (503) + 1 (hedge) + 1 (replay) billable at 50 cents; the 429 retry is free; cache and breaker free
    assert.equal(usage!.costMinor, 18 * 50);
    assert.equal(usage!.retryCostMinor, 50, 'the hedge');
    assert.deepEqual(usage!.saved, {
      cachedCalls: 1,
      cachedMinor: 200,
      shortCircuitedCalls: 1,
      shortCircuitedMinor: 200,
    });
    assert.deepEqual(
      usage!.byCaller.map((c) => [c.key, c.costMinor]),
      [
        ['tok_a', 850],
        ['replay', 50],
        ['internal', 0],
      ],
    );

    const lines = await chargeback(db, 'default', NOW, MONTH);
    assert.equal(
      lines.reduce((n, l) => n + l.costMinor, 0),
      usage!.costMinor,
    );
    const day = HOUR.toISOString().slice(0, 10);
    assert.ok(chargebackCsv(lines).includes(`\r\n${day},payments,tok_a,tok_a,18,17,850,EUR\r\n`));

    await createRule(
      db,
      'default',
      ruleSchema.parse({ name: 'Budget', metric: 'cost_month_to_date', threshold: 8, window: '1m', for: '0s' }),
    );
    const result = await evaluateAlerts(db, NOW, async (channel) => ({ channel: channel.name, ok: true, status: 200 }));
    await result.delivered;
    const instance = await db.alertInstance.findFirstOrThrow({ where: { integrationId: 'int_pay' } });
    assert.equal(instance.state, 'firing');
    assert.equal(instance.value, 9);
  });

  test('retention keeps usage in whole months as long as the hourly rollups', async () => {
    const row = (bucketStart: string) => ({
      bucketStart: new Date(bucketStart),
      integrationId: 'int_pay',
      route: '/old',
      outcomeClass: 'success',
      caller: 'tok_a',
      attemptKind: 'first',
      environment: 'production',
      instance: 'retention',
      attempts: 1,
    });
    // 90 days before 2026-06-15 is 2026-03-17: March is kept whole, February goes.
    await db.usageRollup.createMany({ data: [row('2026-02-28T23:00:00Z'), row('2026-03-01T00:00:00Z')] });
    const result = await applyRetention(db, DEFAULT_RETENTION, new Date('2026-06-15T00:00:00Z'));
    assert.equal(result.usageRowsDeleted, 1);
    const left = await db.usageRollup.findMany({ where: { instance: 'retention' } });
    assert.deepEqual(
      left.map((r) => r.bucketStart.toISOString()),
      ['2026-03-01T00:00:00.000Z'],
    );
  });
});
