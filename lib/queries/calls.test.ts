import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Db, LatencyHistogram } from '@/lib/db';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { callDetail, searchCalls } from './calls';
import { BadCursorError } from './cursor';
import { overviewTiles } from './overview';

// The explorer's and the overview's read models over a real database.
let database: TestDatabase;
let db: Db;
const now = Date.now();
const AT = new Date(now - 10 * 60_000);

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_a', slug: 'a', name: 'A', baseUrl: 'http://a' },
  });
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_b', slug: 'b', name: 'B', baseUrl: 'http://b' },
  });
  // 25 calls, several sharing a start time, so pages must break ties on id.
  for (let i = 0; i < 25; i++) {
    await db.callLog.create({
      data: {
        id: `call-${String(i).padStart(2, '0')}`,
        integrationId: i % 5 === 0 ? 'int_b' : 'int_a',
        startedAt: new Date(AT.getTime() + Math.floor(i / 3) * 1000),
        durationMs: 10 * i,
        method: i % 2 ? 'POST' : 'GET',
        route: i % 2 ? '/v1/charges' : '/v1/charges/:id',
        path: '/v1/charges',
        status: i % 4 === 0 ? 503 : 200,
        outcome: i % 4 === 0 ? 'server_error' : 'success',
        attemptCount: i % 4 === 0 ? 2 : 1,
        upstreamRequestId: `up-${i}`,
        traceId: `${String(i).padStart(32, '0')}`,
        keptBecause: i % 4 === 0 ? 'server_error' : 'sample',
        attempts: {
          create: Array.from({ length: i % 4 === 0 ? 2 : 1 }, (_, n) => ({
            number: n + 1,
            startedAt: new Date(AT.getTime() + n * 100),
            durationMs: 5,
            status: i % 4 === 0 ? 503 : 200,
            delayBeforeMs: n ? 100 : 0,
            delayReason: n ? 'backoff' : null,
          })),
        },
      },
    });
  }
  await db.breakerEvent.create({
    data: {
      integrationId: 'int_b',
      instance: 'i1',
      at: new Date(AT.getTime() - 1000),
      fromState: 'closed',
      toState: 'open',
      reason: '5 consecutive failures',
    },
  });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

describe('searchCalls', () => {
  test('pages newest first by (startedAt, id), each call exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await searchCalls(db, 'default', { limit: 4, cursor });
      seen.push(...page.calls.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    assert.equal(pages, 7);
    const expected = Array.from({ length: 25 }, (_, i) => `call-${String(i).padStart(2, '0')}`).sort((x, y) => {
      const [a, b] = [Number(x.slice(5)), Number(y.slice(5))];
      return Math.floor(b / 3) - Math.floor(a / 3) || y.localeCompare(x);
    });
    assert.deepEqual(seen, expected);
  });

  test('filters combine', async () => {
    const b = await searchCalls(db, 'default', { integration: 'b' });
    assert.deepEqual(
      b.calls.map((c) => c.id),
      ['call-20', 'call-15', 'call-10', 'call-05', 'call-00'],
    );
    const failedPosts = await searchCalls(db, 'default', { outcome: 'server_error', method: 'get', status: 503 });
    assert.ok(failedPosts.calls.length > 0);
    assert.ok(failedPosts.calls.every((c) => c.outcome === 'server_error' && c.method === 'GET'));
    assert.equal((await searchCalls(db, 'default', { minDurationMs: 200 })).calls.length, 5);
    assert.equal((await searchCalls(db, 'default', { route: ':id' })).calls.length, 13);
    assert.deepEqual(
      (await searchCalls(db, 'default', { upstreamRequestId: 'up-7' })).calls.map((c) => c.id),
      ['call-07'],
    );
    assert.deepEqual(
      (await searchCalls(db, 'default', { traceId: '9'.padStart(32, '0') })).calls.map((c) => c.id),
      ['call-09'],
    );
    assert.equal((await searchCalls(db, 'default', { from: new Date(AT.getTime() + 8000) })).calls.length, 1);
    assert.equal((await searchCalls(db, 'default', { requestId: 'call-03' })).calls[0].integration.slug, 'a');
  });

  test('a cursor it did not make is refused', async () => {
    await assert.rejects(searchCalls(db, 'default', { cursor: 'bm9wZQ' }), BadCursorError);
  });
});

test('callDetail has every attempt in order and what the breaker was doing', async () => {
  const call = await callDetail(db, 'default', 'call-00');
  assert.ok(call);
  assert.deepEqual(
    call.attempts.map((a) => [a.number, a.status, a.delayReason]),
    [
      [1, 503, null],
      [2, 503, 'backoff'],
    ],
  );
  assert.match(call.decisions.find((d) => d.policy === 'breaker')!.decision, /open \(5 consecutive failures\)/);
  assert.equal(call.decisions.find((d) => d.policy === 'retry')!.decision, '1 retry');
  assert.equal(await callDetail(db, 'default', 'missing'), null);
});

test("replays: a call lists its own, newest first; the explorer selects replays, originals, or one call's replays", async () => {
  const replay = (id: string, of: string, second: number, status: number) =>
    db.callLog.create({
      data: {
        id,
        integrationId: 'int_b',
        startedAt: new Date(AT.getTime() + 60_000 + second * 1000),
        durationMs: 4,
        method: 'GET',
        route: '/v1/charges/:id',
        path: '/v1/charges',
        status,
        outcome: status < 400 ? 'success' : 'server_error',
        attemptCount: 1,
        keptBecause: 'replay',
        replayOfId: of,
      },
    });
  await replay('replay-1', 'call-00', 1, 503);
  await replay('replay-2', 'call-00', 2, 200);
  await replay('replay-3', 'call-04', 3, 200);

  const original = await callDetail(db, 'default', 'call-00');
  assert.deepEqual(
    original?.replays.map((r) => [r.id, r.status, r.outcome]),
    [
      ['replay-2', 200, 'success'],
      ['replay-1', 503, 'server_error'],
    ],
  );
  assert.deepEqual((await callDetail(db, 'default', 'call-01'))?.replays, []);
  assert.equal((await callDetail(db, 'default', 'replay-2'))?.replayOfId, 'call-00');

  const ids = async (filter: Parameters<typeof searchCalls>[2]) =>
    (await searchCalls(db, 'default', filter)).calls.map((c) => c.id);
  assert.deepEqual(await ids({ replays: 'only' }), ['replay-3', 'replay-2', 'replay-1']);
  assert.deepEqual(await ids({ replayOf: 'call-00' }), ['replay-2', 'replay-1']);
  assert.deepEqual(await ids({ replayOf: 'call-00', status: 200 }), ['replay-2']);
  assert.deepEqual(await ids({ replayOf: 'call-04', replays: 'exclude' }), ['replay-3'], 'replayOf is the narrower');
  const originals = await ids({ replays: 'exclude', limit: 200 });
  assert.equal(originals.length, 25);
  assert.ok(originals.every((id) => id.startsWith('call-')));
});

test('overviewTiles: totals from minute rollups, trouble first, open breaker is bad', async () => {
  const histogram = new LatencyHistogram();
  for (const ms of [10, 20, 30]) histogram.record(ms);
  await db.metricRollup.create({
    data: {
      // This minute: health is judged on the last one.
      bucketStart: new Date(Math.floor(now / 60_000) * 60_000),
      bucketSeconds: 60,
      integrationId: 'int_a',
      route: '/x',
      outcomeClass: 'success',
      instance: 'i1',
      count: 3,
      cacheHits: 1,
      cacheMisses: 2,
      latencySumMs: 60,
      latencyMaxMs: 30,
      latencyHist: JSON.stringify(histogram),
    },
  });
  const tiles = await overviewTiles(db, 'default', new Date(now - 3_600_000));
  assert.deepEqual(
    tiles.map((t) => [t.slug, t.health, t.breaker.state]),
    [
      ['b', 'bad', 'open'],
      ['a', 'ok', 'closed'],
    ],
  );
  const a = tiles[1];
  assert.equal(a.requests, 3);
  assert.equal(a.errorRate, 0);
  assert.equal(a.cacheHitRatio, 1 / 3);
  assert.equal(a.sparkline.reduce((n, v) => n + v, 0) > 0, true);
  assert.ok(Math.abs(a.p50Ms! - 20) / 20 < 0.01);
});

test('overviewTiles: rate-limit usage is over the limit of the stored policy', async () => {
  const since = new Date(now - 3_600_000);
  const usage = async () => (await overviewTiles(db, 'default', since)).find((t) => t.slug === 'a')!;
  const before = await usage();
  await db.integration.update({ where: { id: 'int_a' }, data: { policy: '{"rateLimit":{"perMinute":30}}' } });
  const limited = await usage();
  assert.ok(limited.requests > 0);
  assert.ok(
    Math.abs(limited.rateLimitUsage! / before.rateLimitUsage! - 100 / 30) < 1e-3,
    'the default limit is 100 a minute',
  );
  await db.integration.update({ where: { id: 'int_a' }, data: { policy: '{"rateLimit":{"enabled":false}}' } });
  assert.equal((await usage()).rateLimitUsage, null);
  await db.integration.update({ where: { id: 'int_a' }, data: { policy: '{}' } });
});

test('overviewTiles: a firing, unsilenced alert is on its tile; the colour still tells the last minute', async () => {
  const rule = await db.alertRule.create({
    data: {
      workspaceId: 'default',
      name: 'Slow p99 on a',
      config: JSON.stringify({ severity: 'critical', metric: 'latency_p99' }),
    },
  });
  const muted = await db.alertRule.create({
    data: { workspaceId: 'default', name: 'Muted', config: JSON.stringify({ severity: 'info' }) },
  });
  const instance = {
    integrationId: 'int_a',
    integrationSlug: 'a',
    since: new Date(now - 60_000),
    evaluatedAt: new Date(now),
  };
  await db.alertInstance.create({ data: { ...instance, ruleId: rule.id, state: 'firing' } });
  await db.alertInstance.create({ data: { ...instance, ruleId: muted.id, state: 'firing', silenced: true } });
  const a = (await overviewTiles(db, 'default', new Date(now - 3_600_000))).find((t) => t.slug === 'a')!;
  assert.deepEqual(a.firingAlerts, [{ name: 'Slow p99 on a', severity: 'critical' }]);
  assert.equal(a.health, 'ok', 'the last minute answered well: the alert looks further back');
  await db.alertRule.deleteMany({ where: { id: { in: [rule.id, muted.id] } } });
});

test('a request id several calls carried: the explorer lists each once, the call page is the newest', async () => {
  const carried = (id: string, second: number) =>
    db.callLog.create({
      data: {
        id,
        requestId: 'caller-resent-1',
        integrationId: 'int_a',
        startedAt: new Date(AT.getTime() + 120_000 + second * 1000),
        durationMs: 3,
        method: 'POST',
        route: '/v1/charges',
        path: '/v1/charges',
        status: 500,
        outcome: 'server_error',
        attemptCount: 0,
        keptBecause: 'server_error',
      },
    });
  await carried('resent-a', 1);
  await carried('resent-b', 2);
  await carried('resent-c', 2);
  try {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchCalls(db, 'default', { requestId: 'caller-resent-1', limit: 2, cursor });
      seen.push(...page.calls.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(seen, ['resent-c', 'resent-b', 'resent-a'], 'newest first, ties on id, each once');
    assert.deepEqual(
      (await searchCalls(db, 'default', { requestId: 'resent-a' })).calls.map((c) => [c.id, c.requestId]),
      [['resent-a', 'caller-resent-1']],
      'a call’s own id still matches',
    );
    assert.equal((await callDetail(db, 'default', 'caller-resent-1'))?.id, 'resent-c');
    assert.equal((await callDetail(db, 'default', 'resent-a'))?.id, 'resent-a');
  } finally {
    await db.callLog.deleteMany({ where: { requestId: 'caller-resent-1' } });
  }
});
