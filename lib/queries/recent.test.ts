import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '@/lib/db';
import type { AttemptInfo, CallSummary } from '@/lib/resilience';
import { TelemetryRecorder } from '@/lib/telemetry';
import { failedCall } from '@/test/support/calls';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { overviewTiles } from './overview';
import { recentFigures } from './recent';
import { type BucketAggregate, emptyAggregate } from './rollups';

const MIN = 60_000;

function bucket(bucketStart: number, requests: number, attempts = 0, attemptErrors = 0): BucketAggregate {
  const aggregate = emptyAggregate();
  aggregate.requests = requests;
  aggregate.attempts = attempts;
  aggregate.attemptErrors = attemptErrors;
  return { bucketStart, integrationId: 'i', aggregate };
}

describe('recentFigures: the rolling minute', () => {
  // 20 s into a minute: the window [now − 60 s, now] holds the last 40 s of the previous minute and this one.
  const minute = 100 * MIN;
  const now = minute + 20_000;

  test('the bucket straddling the window start counts for its share inside the window', () => {
    const r = recentFigures([bucket(minute - MIN, 60), bucket(minute, 20)], { errors: 0, firstCallAt: 0 }, now);
    assert.equal(r.requests, 60 * (40 / 60) + 20);
    assert.equal(r.coveredSeconds, 60);
    assert.equal(r.ratePerSec, 60 / 60);
  });

  test('errors are the logged ones in the window: a recovered integration reads 0 % a minute later', () => {
    // The previous minute was a total outage; its errors are older than 60 s, so the log has none left.
    const r = recentFigures(
      [bucket(minute - MIN, 60, 60, 60), bucket(minute, 20, 20, 0)],
      { errors: 0, firstCallAt: 0 },
      now,
    );
    assert.equal(r.errorRate, 0);
    assert.ok(r.upstreamSuccessRate !== null && r.upstreamSuccessRate > 0.3 && r.upstreamSuccessRate < 1);
  });

  test('rates are divided by the time covered, not the window length, when traffic started inside it', () => {
    const r = recentFigures([bucket(minute, 100)], { errors: 25, firstCallAt: now - 10_000 }, now);
    assert.equal(r.coveredSeconds, 10);
    assert.equal(r.ratePerSec, 10);
    assert.equal(r.errorRate, 0.25);
  });

  test('no traffic: no rates, and buckets outside the window are ignored', () => {
    const r = recentFigures([bucket(minute - 3 * MIN, 500, 500, 500)], { errors: 0, firstCallAt: null }, now);
    assert.deepEqual([r.requests, r.errorRate, r.upstreamSuccessRate, r.ratePerSec], [0, null, null, 0]);
  });
});

// The real recorder writing a real database; tiles read back through overviewTiles.
let database: TestDatabase;
let db: Db;

/** A call of `crm` at `at` (a success unless `over` says otherwise) with these attempts. */
function call(at: number, over: Partial<CallSummary>, attempts: Partial<AttemptInfo>[]): CallSummary {
  const base = failedCall(0);
  return failedCall(0, {
    route: '/contacts',
    path: '/contacts',
    startedAt: at,
    durationMs: 1,
    outcome: 'success',
    status: 200,
    attempts: attempts.map((a, i) => ({ ...base.attempts[0], number: i + 1, startedAt: at, durationMs: 1, ...a })),
    retries: Math.max(0, attempts.length - 1),
    ...over,
  });
}

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  for (const slug of ['crm', 'geo', 'fresh'])
    await db.integration.create({
      data: { workspaceId: 'default', id: `int_${slug}`, slug, name: slug, baseUrl: `http://${slug}` },
    });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('tiles: upstream figures per attempt beside the callers, short circuits and cache answers counted apart', async () => {
  const recorder = new TelemetryRecorder(db, { instance: 'overview-upstream' });
  const now = Date.now();
  // crm: a total outage: 10 calls each answered 500 upstream (80 ms), then 30 short-circuited in 0 ms.
  for (let i = 0; i < 10; i++)
    recorder.record(
      'int_crm',
      call(now - 20_000 + i, { outcome: 'server_error', status: 500, durationMs: 80 }, [
        { status: 500, durationMs: 80 },
      ]),
    );
  for (let i = 0; i < 30; i++)
    recorder.record(
      'int_crm',
      call(now - 9_000 + i, { outcome: 'circuit_open', status: undefined, durationMs: 0 }, []),
    );
  // geo: 90 fresh cache hits in 0 ms, 10 upstream answers of 200 ms, 5 stale answers during a failure.
  for (let i = 0; i < 90; i++) recorder.record('int_geo', call(now - 15_000 + i, { cache: 'hit', durationMs: 0 }, []));
  for (let i = 0; i < 10; i++)
    recorder.record(
      'int_geo',
      call(now - 14_000 + i, { cache: 'miss', durationMs: 200 }, [{ status: 200, durationMs: 200 }]),
    );
  for (let i = 0; i < 5; i++)
    recorder.record(
      'int_geo',
      call(now - 13_000 + i, { cache: 'stale', durationMs: 30 }, [{ status: 503, durationMs: 30 }]),
    );
  // A hedged call: the losing attempt was cut by the winner, which is no failure of the upstream's.
  recorder.record(
    'int_geo',
    call(now - 12_000, { cache: 'miss', durationMs: 200 }, [
      { status: undefined, errorType: 'hedge_lost', durationMs: 200 },
      { status: 200, durationMs: 200, hedged: true },
    ]),
  );
  await recorder.stop();

  const tiles = new Map((await overviewTiles(db, 'default', new Date(now - 15 * MIN))).map((t) => [t.slug, t]));
  const crm = tiles.get('crm')!;
  assert.deepEqual([crm.upstream.attempts, crm.upstream.successRate], [10, 0]);
  assert.equal(crm.served.shortCircuits, 30);
  // Pro rata when the calls' minute straddles the window's start: an estimate, never more than there were.
  assert.ok(crm.recentShortCircuits > 0 && crm.recentShortCircuits <= 30, `${crm.recentShortCircuits} short circuits`);
  assert.equal(crm.recentUpstreamSuccessRate, 0);
  assert.equal(crm.recentErrorRate, 1);
  assert.equal(crm.health, 'bad');
  assert.ok(
    crm.upstream.p50Ms! >= 70,
    `upstream p50 ${crm.upstream.p50Ms} is the 500s' latency, not the short circuits'`,
  );
  assert.ok(crm.p50Ms! < 1, 'the callers mostly got a fast refusal');

  const geo = tiles.get('geo')!;
  assert.deepEqual([geo.served.fromCache, geo.served.stale, geo.upstream.attempts], [90, 5, 17]);
  assert.ok(geo.upstream.p50Ms! >= 150, `upstream p50 ${geo.upstream.p50Ms} is not diluted by cache hits`);
  assert.ok(geo.p50Ms! < 1, 'most callers were answered by the cache at once');
  assert.equal(geo.upstream.successRate?.toFixed(3), (12 / 17).toFixed(3), 'the 503s are the only failures');
});

test('tiles: rate over the seconds covered, health back to ok once the errors are a minute old', async () => {
  const recorder = new TelemetryRecorder(db, { instance: 'overview-recent' });
  const now = Date.now();
  // fresh: traffic for the last 10 s only, 5 calls a second.
  for (let i = 0; i < 50; i++) recorder.record('int_fresh', call(now - 10_000 + i * 200, {}, [{ status: 200 }]));
  await recorder.stop();
  const fresh = (await overviewTiles(db, 'default', new Date(now - 15 * MIN))).find((t) => t.slug === 'fresh')!;
  assert.ok(fresh.recentWindowSeconds >= 10 && fresh.recentWindowSeconds < 12, `${fresh.recentWindowSeconds} s`);
  assert.ok(fresh.recentRatePerSec > 4 && fresh.recentRatePerSec <= 5, `${fresh.recentRatePerSec}/s`);
  assert.equal(fresh.health, 'ok');

  // An outage that ended 65 s ago, calls answering well since: the tile is green again.
  const later = new TelemetryRecorder(db, { instance: 'overview-recovered' });
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_back', slug: 'back', name: 'back', baseUrl: 'http://back' },
  });
  for (let i = 0; i < 100; i++)
    later.record(
      'int_back',
      call(now - 100_000 + i * 350, { outcome: 'server_error', status: 500 }, [{ status: 500 }]),
    );
  for (let i = 0; i < 60; i++) later.record('int_back', call(now - 60_000 + i * 1000, {}, [{ status: 200 }]));
  await later.stop();
  const back = (await overviewTiles(db, 'default', new Date(now - 15 * MIN))).find((t) => t.slug === 'back')!;
  assert.equal(back.recentErrorRate, 0);
  assert.equal(back.health, 'ok');
  assert.ok(back.errorRate! > 0.5, 'the range still tells the outage');
});

test('tiles: rate-limit usage is the busiest minute over the limit, rejections and cache hits spending no token', async () => {
  await db.integration.create({
    data: {
      workspaceId: 'default',
      id: 'int_burst',
      slug: 'burst',
      name: 'burst',
      baseUrl: 'http://burst',
      policy: '{"rateLimit":{"perMinute":100}}',
    },
  });
  const recorder = new TelemetryRecorder(db, { instance: 'overview-peak' });
  const burstMinute = Math.floor(Date.now() / MIN) * MIN - 3 * MIN;
  // 90 calls that took a token in one minute, 30 cache hits and 5 refusals beside them; 10 calls in another.
  for (let i = 0; i < 90; i++) recorder.record('int_burst', call(burstMinute + i * 100, {}, [{ status: 200 }]));
  for (let i = 0; i < 30; i++) recorder.record('int_burst', call(burstMinute + i * 100, { cache: 'hit' }, []));
  for (let i = 0; i < 5; i++)
    recorder.record('int_burst', call(burstMinute + i * 100, { outcome: 'rate_limited', status: undefined }, []));
  for (let i = 0; i < 10; i++) recorder.record('int_burst', call(burstMinute - 5 * MIN + i, {}, [{ status: 200 }]));
  await recorder.stop();
  const tile = (await overviewTiles(db, 'default', new Date(Date.now() - 15 * MIN))).find((t) => t.slug === 'burst')!;
  assert.equal(tile.rateLimitPeakPerMinute, 90);
  assert.equal(tile.rateLimitUsage, 0.9, 'an average over the 15 minutes would read 7 %');
  assert.equal(tile.rateLimitPeakOf, 'minute');
  assert.equal(tile.rateLimitRejections, 5);
});

test('tiles: usage is against the lower of the configured limit and the one the upstream announced', async () => {
  const since = new Date(Date.now() - 15 * MIN);
  const configured = (await overviewTiles(db, 'default', since)).find((t) => t.slug === 'burst')!;
  assert.deepEqual([configured.rateLimitPerMinute, configured.rateLimitLimitOf], [100, 'configured']);
  // The upstream says 60 a minute: the 90-call minute went past what it allows, with 5 rejections beside it.
  const lower = (await overviewTiles(db, 'default', since, undefined, new Map([['burst', 60]]))).find(
    (t) => t.slug === 'burst',
  )!;
  assert.deepEqual([lower.rateLimitPerMinute, lower.rateLimitLimitOf, lower.rateLimitUsage], [60, 'announced', 1.5]);
  assert.equal(lower.rateLimitRejections, 5);
  // An announced limit above the configured one changes nothing: the limiter refuses first.
  const higher = (await overviewTiles(db, 'default', since, undefined, new Map([['burst', 1000]]))).find(
    (t) => t.slug === 'burst',
  )!;
  assert.deepEqual(
    [higher.rateLimitPerMinute, higher.rateLimitLimitOf, higher.rateLimitUsage],
    [100, 'configured', 0.9],
  );
});
