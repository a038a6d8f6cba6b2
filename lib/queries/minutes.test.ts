import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Db, LatencyHistogram } from '@/lib/db';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { readMinuteAggregates } from './minutes';
import { readAggregates } from './rollups';

let database: TestDatabase;
let db: Db;
const MIN = 60_000;
const now = Date.now();
const lastMinute = Math.floor(now / MIN) * MIN;

function row(minutesAgo: number, count: number) {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < count; i++) histogram.record(10 + i);
  return {
    bucketStart: new Date(lastMinute - minutesAgo * MIN),
    bucketSeconds: 60,
    integrationId: 'int_a',
    route: `/r${count}`,
    outcomeClass: 'success',
    instance: 'i1',
    count,
    latencySumMs: 0,
    latencyMaxMs: 0,
    latencyHist: JSON.stringify(histogram),
  };
}

const total = (entries: { aggregate: { requests: number } }[]) => entries.reduce((n, e) => n + e.aggregate.requests, 0);

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_a', slug: 'a', name: 'A', baseUrl: 'http://a' },
  });
  await db.metricRollup.createMany({ data: Array.from({ length: 60 }, (_, m) => row(m, 1 + (m % 7))) });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('the same aggregates as readAggregates, and final minutes are read once', async () => {
  const range = { from: new Date(now - 3_600_000), to: new Date(now) };
  const direct = await readAggregates(db, range, 60);
  const first = await readMinuteAggregates(db, range);
  assert.equal(total(first), total(direct));
  assert.equal(first.length, direct.length);

  // A minute past the final horizon is served from memory; a recent one is read again.
  await db.metricRollup.createMany({ data: [row(40, 100), row(2, 1000)] });
  const again = await readMinuteAggregates(db, { from: new Date(now - 3_600_000), to: new Date() });
  assert.equal(total(again), total(direct) + 1000);
  // A narrower window counts only its own minutes, cached or not.
  const narrow = await readMinuteAggregates(db, { from: new Date(now - 30 * MIN), to: new Date() });
  const narrowDirect = await readAggregates(db, { from: new Date(now - 30 * MIN), to: new Date() }, 60);
  assert.equal(total(narrow), total(narrowDirect));
});
