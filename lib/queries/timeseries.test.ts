import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '@/lib/db';
import type { CallSummary } from '@/lib/resilience';
import { TelemetryRecorder } from '@/lib/telemetry';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { overviewTiles } from './overview';
import { stepFor, timeseries } from './timeseries';

// Rollups written by the real recorder (both widths) into a real database, read back by the read models.
let database: TestDatabase;
let db: Db;
const MIN = 60_000;
// 10 s into a minute that has passed: each group of samples below spans 4 s, so it never straddles two steps.
const now = Math.floor(Date.now() / MIN) * MIN - MIN + 10_000;
const samples: { at: number; ms: number; outcome: CallSummary['outcome'] }[] = [];

function summary(at: number, ms: number, outcome: CallSummary['outcome'], i: number): CallSummary {
  return {
    integration: 'a',
    requestId: `r${i}`,
    method: 'GET',
    route: '/x',
    path: '/x',
    startedAt: at,
    durationMs: ms,
    outcome,
    status: outcome === 'success' ? 200 : 503,
    attempts: [],
    retries: i % 4 === 0 ? 1 : 0,
    cache: i % 2 === 0 ? 'hit' : 'miss',
    rateLimitWaitMs: i % 10 === 0 ? 5 : 0,
    rateLimited: i % 10 === 0,
    trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' },
    requestHeaders: {},
  };
}

function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  await db.integration.create({
    data: {
      workspaceId: 'default',
      id: 'int_a',
      slug: 'a',
      name: 'A',
      baseUrl: 'http://a',
      policy: '{"rateLimit":{"perMinute":100}}',
    },
  });
  // Rate limit off: a policy without one gets the schema's default limit, as the client enforces it.
  await db.integration.create({
    data: {
      workspaceId: 'default',
      id: 'int_b',
      slug: 'b',
      name: 'B',
      baseUrl: 'http://b',
      policy: '{"rateLimit":{"enabled":false}}',
    },
  });
  const recorder = new TelemetryRecorder(db, { instance: 'i1', successesKeptPerSecond: 0 });
  let i = 0;
  for (let minute = 1; minute <= 90; minute += 7) {
    for (let k = 0; k < 40; k++) {
      const at = now - minute * MIN + k * 100;
      const outcome = k % 8 === 0 ? 'server_error' : 'success';
      const ms = outcome === 'success' ? 5 + ((k * 37) % 200) : 900 + k;
      samples.push({ at, ms, outcome });
      recorder.record('int_a', summary(at, ms, outcome, i++));
    }
  }
  await recorder.flush();
  await db.breakerEvent.createMany({
    data: [
      {
        integrationId: 'int_a',
        instance: 'i1',
        at: new Date(now - 3 * 3_600_000),
        fromState: 'closed',
        toState: 'open',
        reason: 'failure rate 60%',
      },
      {
        integrationId: 'int_a',
        instance: 'i1',
        at: new Date(now - 50 * MIN),
        fromState: 'open',
        toState: 'half-open',
        reason: 'open duration elapsed',
      },
      {
        integrationId: 'int_a',
        instance: 'i1',
        at: new Date(now - 49 * MIN),
        fromState: 'half-open',
        toState: 'closed',
        reason: 'probes succeeded',
      },
    ],
  });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

describe('stepFor', () => {
  test('minute rollups up to 6 h, hourly beyond, at most 300 points', () => {
    assert.deepEqual(stepFor(15 * MIN), { stepSeconds: 60, resolutionSeconds: 60 });
    assert.deepEqual(stepFor(6 * 60 * MIN), { stepSeconds: 300, resolutionSeconds: 60 });
    assert.deepEqual(stepFor(24 * 60 * MIN), { stepSeconds: 3600, resolutionSeconds: 3600 });
    assert.deepEqual(stepFor(30 * 24 * 60 * MIN), { stepSeconds: 21600, resolutionSeconds: 3600 });
  });
});

describe('timeseries', () => {
  test('exact counts and error rate per step; rollups of both widths are never both counted', async () => {
    for (const hours of [2, 24, 24 * 30]) {
      const series = await timeseries(db, 'default', {
        integrationId: 'int_a',
        from: new Date(now - hours * 3_600_000),
      });
      const total = series.points.reduce((n, p) => n + p.requests, 0);
      assert.equal(total, samples.length, `${hours} h`);
      const errors = series.points.reduce((n, p) => n + p.errors, 0);
      assert.equal(errors, samples.filter((s) => s.outcome !== 'success').length);
      assert.ok(series.points.length <= 300);
    }
  });

  test('percentiles per step within 1% of the exact ones; ratios per step', async () => {
    const series = await timeseries(db, 'default', { integrationId: 'int_a', from: new Date(now - 2 * 3_600_000) });
    assert.equal(series.stepSeconds, 60);
    let checked = 0;
    for (const p of series.points) {
      const inStep = samples.filter((s) => s.at >= p.at.getTime() && s.at < p.at.getTime() + 60_000);
      assert.equal(p.requests, inStep.length);
      if (!inStep.length) {
        assert.equal(p.p99Ms, null);
        continue;
      }
      for (const [q, got] of [
        [0.5, p.p50Ms],
        [0.95, p.p95Ms],
        [0.99, p.p99Ms],
      ] as const) {
        const exact = exactQuantile(
          inStep.map((s) => s.ms),
          q,
        );
        assert.ok(Math.abs(got! - exact) / exact <= 0.01, `q${q}: ${got} vs ${exact}`);
      }
      assert.equal(p.cacheHitRatio, 0.5);
      assert.equal(p.retriesPerCall, 10 / 40);
      assert.equal(p.rateLimitWaits, 4);
      assert.equal(p.rateLimitUsage, 40 / 100);
      assert.equal(p.byOutcome.server_error, 5);
      assert.equal(p.errorRate, 5 / 40);
      checked++;
    }
    assert.equal(checked, 13);
  });

  test('rate-limit usage is against the announced limit when the upstream announces a lower one', async () => {
    const from = new Date(now - 2 * 3_600_000);
    const lower = await timeseries(db, 'default', { integrationId: 'int_a', from, announcedPerMinute: 50 });
    assert.deepEqual([lower.rateLimitPerMinute, lower.rateLimitLimitOf], [50, 'announced']);
    const busy = lower.points.filter((p) => p.requests > 0);
    assert.ok(busy.length > 0 && busy.every((p) => p.rateLimitUsage === 40 / 50));
    const higher = await timeseries(db, 'default', { integrationId: 'int_a', from, announcedPerMinute: 500 });
    assert.deepEqual([higher.rateLimitPerMinute, higher.rateLimitLimitOf], [100, 'configured']);
  });

  test('breaker state intervals with reasons, starting from the state before the range', async () => {
    const series = await timeseries(db, 'default', { integrationId: 'int_a', from: new Date(now - 2 * 3_600_000) });
    assert.deepEqual(
      series.breaker.map((b) => [b.state, b.reason]),
      [
        ['open', 'failure rate 60%'],
        ['half-open', 'open duration elapsed'],
        ['closed', 'probes succeeded'],
      ],
    );
    assert.equal(series.breaker[0].from.getTime(), series.from.getTime());
    assert.equal(series.breaker[0].to.getTime(), now - 50 * MIN);
    assert.equal(series.breaker[2].to.getTime(), series.to.getTime());
  });

  test('an integration without traffic has empty points', async () => {
    const series = await timeseries(db, 'default', { integrationId: 'int_b', from: new Date(now - 3_600_000) });
    assert.ok(series.points.every((p) => p.requests === 0 && p.errorRate === null));
    assert.equal(series.rateLimitPerMinute, null);
  });
});

test('the overview counts each call once although rollups are stored at two widths', async () => {
  const summaries = await overviewTiles(db, 'default', new Date(now - 24 * 3_600_000));
  const a = summaries.find((s) => s.id === 'int_a')!;
  assert.equal(a.requests, samples.length);
  const exact = exactQuantile(
    samples.map((s) => s.ms),
    0.99,
  );
  assert.ok(Math.abs(a.p99Ms! - exact) / exact <= 0.01);
  assert.equal(summaries.find((s) => s.id === 'int_b')!.requests, 0);
});

test('parsed hours are reused only while unchanged: a later write to an hour is read back', async () => {
  const since = new Date(now - 24 * 3_600_000);
  const before = (await overviewTiles(db, 'default', since)).find((s) => s.id === 'int_a')!.requests;
  const recorder = new TelemetryRecorder(db, { instance: 'i2' });
  for (let i = 0; i < 3; i++) recorder.record('int_a', summary(now - 80 * MIN, 10, 'success', 1000 + i));
  await recorder.flush();
  assert.equal((await overviewTiles(db, 'default', since)).find((s) => s.id === 'int_a')!.requests, before + 3);
  const series = await timeseries(db, 'default', { integrationId: 'int_a', from: since });
  assert.equal(
    series.points.reduce((n, p) => n + p.requests, 0),
    before + 3,
  );
});
