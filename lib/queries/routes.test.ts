import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '@/lib/db';
import { OTHER_ROUTE, routeOf } from '@/lib/integrations';
import type { AttemptInfo, CallSummary } from '@/lib/resilience';
import { TelemetryRecorder } from '@/lib/telemetry';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { routeTable } from './routes';

// Calls named by the integration's templater and cap, rolled up by the real recorder, read per route.
let database: TestDatabase;
let db: Db;
const MIN = 60_000;
const now = Math.floor(Date.now() / MIN) * MIN - MIN + 10_000;

/** An attempt the upstream answered in 40 ms: a call's own duration (100 ms and more) also counts its backoff. */
const attempt = (number: number, status: number): AttemptInfo => ({
  number,
  startedAt: now,
  durationMs: 40,
  status,
  delayBeforeMs: 0,
  spanId: '00f067aa0ba902b7',
});

function summary(
  i: number,
  route: string,
  outcome: CallSummary['outcome'],
  extra: Partial<CallSummary> = {},
): CallSummary {
  return {
    integration: 'geo',
    requestId: `r${i}`,
    method: 'GET',
    route,
    path: route,
    startedAt: now + i,
    durationMs: outcome === 'circuit_open' || outcome === 'rate_limited' ? 0.1 : 100 + i,
    outcome,
    status: outcome === 'success' ? 200 : outcome === 'server_error' ? 500 : undefined,
    // Cache hits and refusals send nothing; other calls one attempt unless told.
    attempts:
      outcome === 'success' || outcome === 'server_error' ? [attempt(1, outcome === 'success' ? 200 : 500)] : [],
    retries: 0,
    cache: 'miss',
    rateLimitWaitMs: 0,
    rateLimited: outcome === 'rate_limited',
    trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' },
    requestHeaders: {},
    ...extra,
  };
}

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_geo', slug: 'geo', name: 'Geo', baseUrl: 'http://geo' },
  });
  const recorder = new TelemetryRecorder(db, { instance: 'i1', successesKeptPerSecond: 0 });
  const policy = { templates: ['/orders/*'], maxRoutes: 3 };
  const label = (path: string) => routeOf('int_geo', policy, path.split('/').slice(1)).label;
  let i = 0;
  // 100 cells of one resource: one route, not a hundred.
  for (let cell = 0; cell < 100; cell++)
    recorder.record('int_geo', summary(i++, label(`/geo/v1/uxcount/p${cell}`), 'success'));
  // /orders/...: 4 answered upstream (one after 3 retried 500s), 2 from the cache, 2 upstream 500s, a
  // short-circuit and a rate-limit rejection.
  const orders = label('/orders/7/lines');
  const retried = [attempt(1, 500), attempt(2, 500), attempt(3, 500), attempt(4, 200)];
  recorder.record('int_geo', summary(i++, orders, 'success', { retries: 3, attempts: retried }));
  for (let k = 0; k < 3; k++) recorder.record('int_geo', summary(i++, orders, 'success'));
  for (let k = 0; k < 2; k++)
    recorder.record('int_geo', summary(i++, orders, 'success', { cache: 'hit', durationMs: 0.1, attempts: [] }));
  for (let k = 0; k < 2; k++) recorder.record('int_geo', summary(i++, orders, 'server_error'));
  recorder.record('int_geo', summary(i++, orders, 'circuit_open'));
  recorder.record('int_geo', summary(i++, orders, 'rate_limited'));
  // A route the open breaker refused every time: no upstream figure at all.
  for (let k = 0; k < 3; k++) recorder.record('int_geo', summary(i++, label('/health'), 'circuit_open'));
  // Past the cap of 3 routes: counted as other.
  for (const path of ['/users/ada', '/reports/daily', '/users/bob'])
    recorder.record('int_geo', summary(i++, label(path), 'success'));
  await recorder.flush();
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('calls per route: templated, capped, busiest first, caller and upstream figures side by side', async () => {
  const rows = await routeTable(db, 'int_geo', { from: new Date(now - 10 * MIN), to: new Date(now + MIN) });
  assert.deepEqual(
    rows.map((r) => [r.route, r.calls]),
    [
      ['/geo/v1/uxcount/:id', 100],
      ['/orders/*', 10],
      ['/health', 3],
      [OTHER_ROUTE, 3],
    ],
  );
  const orders = rows[1];
  assert.equal(orders.callerErrorRate, 0.4, '2 server errors, a short-circuit and a rejection of 10 calls');
  // Per attempt: the retried call's three 500s count, cache hits and refusals sent nothing (per call it read 2/6).
  assert.equal(orders.upstreamErrorRate, 5 / 9, '5 failed attempts of the 9 sent');
  // The attempts' own latency, not the calls' (which add backoff and range from 100 ms up).
  assert.ok(
    orders.upstreamP95Ms !== null && orders.upstreamP95Ms >= 35 && orders.upstreamP95Ms <= 45,
    `${orders.upstreamP95Ms}`,
  );
  assert.equal(orders.rejections, 2);
  assert.equal(orders.retriesPerCall, 0.3);
  assert.equal(rows[0].callerErrorRate, 0);
  // Short-circuits are not upstream latency nor upstream errors.
  const health = rows[2];
  assert.deepEqual([health.callerErrorRate, health.upstreamErrorRate, health.upstreamP95Ms], [1, null, null]);
});

test('a range without calls has no routes', async () => {
  assert.deepEqual(
    await routeTable(db, 'int_geo', { from: new Date(now - 60 * MIN), to: new Date(now - 30 * MIN) }),
    [],
  );
});
