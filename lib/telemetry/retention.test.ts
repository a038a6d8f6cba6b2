import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Db, LatencyHistogram } from '@/lib/db';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { applyRetention, DEFAULT_RETENTION, retentionFromEnv } from './retention';

let database: TestDatabase;
let db: Db;
const NOW = new Date('2026-06-30T12:00:00Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;

function hist(values: number[]): string {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return JSON.stringify(h);
}

async function rollup(bucketStart: Date, bucketSeconds: number, count: number, values: number[], route = '/a') {
  await db.metricRollup.create({
    data: {
      bucketStart,
      bucketSeconds,
      integrationId: 'int_a',
      route,
      outcomeClass: 'success',
      instance: 'i1',
      count,
      retries: count,
      latencySumMs: values.reduce((a, b) => a + b, 0),
      latencyMaxMs: Math.max(...values),
      latencyHist: hist(values),
    },
  });
}

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_a', slug: 'a', name: 'A', baseUrl: 'http://a' },
  });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('defaults and environment overrides', () => {
  assert.deepEqual(retentionFromEnv({}), DEFAULT_RETENTION);
  assert.equal(DEFAULT_RETENTION.callLogDays, 7);
  assert.equal(DEFAULT_RETENTION.hourlyRollupDays, 90);
  assert.equal(retentionFromEnv({ BREAKWATER_RETENTION_CALL_LOG_DAYS: '2' }).callLogDays, 2);
});

test('old minute rollups become hourly ones with exact counts and merged histograms; old rows go', async () => {
  const oldHour = new Date(NOW.getTime() - 8 * DAY - (NOW.getTime() % HOUR));
  // route /a: minutes without an hourly row (rebuilt from minutes)
  await rollup(new Date(oldHour.getTime()), 60, 2, [10, 20]);
  await rollup(new Date(oldHour.getTime() + 60_000), 60, 3, [30, 40, 1000]);
  // route /b: minutes whose hourly row the recorder already wrote (kept as it is)
  await rollup(new Date(oldHour.getTime()), 60, 4, [1, 2, 3, 4], '/b');
  await rollup(oldHour, 3600, 4, [1, 2, 3, 4], '/b');
  // recent minutes stay
  await rollup(new Date(NOW.getTime() - DAY), 60, 5, [5]);
  // too old for anything
  await rollup(new Date(NOW.getTime() - 91 * DAY), 3600, 9, [9]);
  const call = (id: string, startedAt: Date) =>
    db.callLog.create({
      data: {
        id,
        integrationId: 'int_a',
        startedAt,
        durationMs: 1,
        method: 'GET',
        route: '/a',
        path: '/a',
        outcome: 'success',
        attemptCount: 1,
        keptBecause: 'sample',
        attempts: { create: [{ number: 1, startedAt, durationMs: 1 }] },
      },
    });
  await call('old', new Date(NOW.getTime() - 8 * DAY));
  await call('new', new Date(NOW.getTime() - DAY));
  const event = (at: Date) =>
    db.breakerEvent.create({
      data: { integrationId: 'int_a', instance: 'i1', at, fromState: 'closed', toState: 'open' },
    });
  await event(new Date(NOW.getTime() - 91 * DAY));
  await event(new Date(NOW.getTime() - 89 * DAY));

  const result = await applyRetention(db, DEFAULT_RETENTION, NOW);
  assert.equal(result.minuteRowsMerged, 3);
  assert.equal(result.hourlyRowsWritten, 1);
  assert.equal(result.hourlyRowsDeleted, 1);
  assert.equal(result.callsDeleted, 1);
  assert.equal(result.breakerEventsDeleted, 1);

  const hourlyA = await db.metricRollup.findFirstOrThrow({ where: { bucketSeconds: 3600, route: '/a' } });
  assert.equal(hourlyA.bucketStart.getTime(), oldHour.getTime());
  assert.equal(hourlyA.count, 5);
  assert.equal(hourlyA.retries, 5);
  assert.equal(hourlyA.latencyMaxMs, 1000);
  const merged = LatencyHistogram.parse(hourlyA.latencyHist);
  assert.equal(merged.count, 5);
  assert.ok(Math.abs(merged.quantile(1)! - 1000) / 1000 < 0.01);
  const hourlyB = await db.metricRollup.findFirstOrThrow({ where: { bucketSeconds: 3600, route: '/b' } });
  assert.equal(hourlyB.count, 4);
  assert.equal(await db.metricRollup.count({ where: { bucketSeconds: 60 } }), 1, 'only the recent minute is left');
  assert.deepEqual(
    (await db.callLog.findMany({ select: { id: true } })).map((c) => c.id),
    ['new'],
  );
  assert.equal(await db.callAttempt.count(), 1);
  assert.equal(await db.breakerEvent.count(), 1);

  const again = await applyRetention(db, DEFAULT_RETENTION, NOW);
  assert.equal(again.minuteRowsMerged + again.hourlyRowsWritten + again.callsDeleted, 0, 'a second pass is a no-op');
  assert.equal((await db.metricRollup.findFirstOrThrow({ where: { bucketSeconds: 3600, route: '/a' } })).count, 5);
});
