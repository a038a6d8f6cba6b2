import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '@/lib/db';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { searchCalls } from './calls';
import { issueCause, listIssues, mergeGroups } from './issues';

// The explorer mid-incident over a real database: a total 500 outage that opened the breaker, then
// hundreds of short-circuits. Grouped, they are two issues, not 650 rows.
let database: TestDatabase;
let db: Db;
const T0 = new Date(Date.now() - 20 * 60_000);
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function call(
  id: string,
  seconds: number,
  fields: Record<string, unknown>,
  attempts: Record<string, unknown>[] = [],
) {
  await db.callLog.create({
    data: {
      id,
      integrationId: (fields.integrationId as string) ?? 'int_crm',
      startedAt: at(seconds),
      durationMs: 5,
      method: 'GET',
      route: '/contacts/:id',
      path: '/contacts/1',
      attemptCount: attempts.length,
      keptBecause: 'error',
      ...fields,
      attempts: {
        create: attempts.map((a, i) => ({ number: i + 1, startedAt: at(seconds), durationMs: 3, ...a })),
      },
    } as never,
  });
}

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  for (const [id, slug, workspaceId] of [
    ['int_crm', 'crm', 'default'],
    ['int_geo', 'geo', 'default'],
    ['int_other', 'crm', 'ws_other'],
  ]) {
    if (workspaceId !== 'default')
      await db.workspace.upsert({
        where: { id: workspaceId },
        create: { id: workspaceId, name: 'Other', slug: 'other' },
        update: {},
      });
    await db.integration.create({ data: { id, workspaceId, slug, name: slug.toUpperCase(), baseUrl: 'http://x' } });
  }
  // Five calls whose three attempts all got a 500; the breaker opens after them.
  for (let i = 0; i < 5; i++)
    await call(`fail-${i}`, i, { status: 500, outcome: 'server_error', errorType: '500' }, [
      { status: 500 },
      { status: 500 },
      { status: 500 },
    ]);
  // The fifth call's retries were cut short by the breaker: it ends circuit_open with 500s in its attempts.
  await call('cut-short', 5, { outcome: 'circuit_open', errorType: 'circuit_open' }, [{ status: 500 }]);
  await db.breakerEvent.create({
    data: {
      integrationId: 'int_crm',
      instance: 'i1',
      at: at(5),
      fromState: 'closed',
      toState: 'open',
      reason: '5 consecutive failures',
    },
  });
  for (let i = 0; i < 40; i++) await call(`short-${i}`, 6 + i, { outcome: 'circuit_open', errorType: 'circuit_open' });
  await call('geo-timeout', 30, { integrationId: 'int_geo', outcome: 'timeout', errorType: 'timeout_overall' }, [
    { errorType: 'timeout_attempt' },
    { status: 200 },
  ]);
  await call('geo-ok', 31, { integrationId: 'int_geo', status: 200, outcome: 'success', keptBecause: 'sample' }, [
    { status: 200 },
  ]);
  await call('other-ws', 32, { integrationId: 'int_other', status: 500, outcome: 'server_error' }, [{ status: 500 }]);
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('"any attempt 5xx" finds the calls whose attempts got a 500, whatever they ended as', async () => {
  const page = await searchCalls(db, 'default', { integration: 'crm', attempt: '5xx', limit: 200 });
  assert.deepEqual(page.calls.map((c) => c.id).sort(), ['cut-short', 'fail-0', 'fail-1', 'fail-2', 'fail-3', 'fail-4']);
  assert.equal(
    (await searchCalls(db, 'default', { integration: 'crm', outcome: 'server_error', status: 503 })).calls.length,
    0,
  );
  const timeouts = await searchCalls(db, 'default', { attempt: 'timeout' });
  assert.deepEqual(
    timeouts.calls.map((c) => c.id),
    ['geo-timeout'],
  );
  assert.equal((await searchCalls(db, 'default', { attempt: '4xx' })).calls.length, 0);
});

test('rows mark short-circuits (no attempt) apart from calls whose attempts the breaker cut short', async () => {
  const { calls } = await searchCalls(db, 'default', { integration: 'crm', outcome: 'circuit_open', limit: 200 });
  assert.equal(calls.filter((c) => c.servedBy === 'breaker').length, 40);
  assert.equal(calls.find((c) => c.id === 'cut-short')?.servedBy, null);
});

test('failures group by integration, route, outcome and cause; a short-circuit names what opened the breaker', async () => {
  const issues = await listIssues(db, 'default', { from: T0, to: at(120) });
  const lines = issues.map((i) => `${i.integration.slug} ${i.route} ${i.outcome} ${i.count} "${i.cause}"`);
  assert.deepEqual(lines, [
    'crm /contacts/:id circuit_open 41 "after 5 consecutive failures (last attempt: HTTP 500)"',
    'geo /contacts/:id timeout 1 "timeout_overall"',
    'crm /contacts/:id server_error 5 "HTTP 500"',
  ]);
  const short = issues[0];
  assert.equal(short.firstSeen.getTime(), at(5).getTime());
  assert.equal(short.lastSeen.getTime(), at(45).getTime());
  assert.deepEqual(short.filter, {
    integration: 'crm',
    route: '/contacts/:id',
    outcome: 'circuit_open',
    from: at(5).toISOString(),
    to: at(45).toISOString(),
  });
});

test('issues are scoped to the workspace, the integration and the range', async () => {
  assert.deepEqual(
    (await listIssues(db, 'ws_other', { from: T0, to: at(120) })).map((i) => `${i.integration.slug} ${i.count}`),
    ['crm 1'],
  );
  assert.deepEqual(
    (await listIssues(db, 'default', { from: T0, to: at(120), integration: 'geo' })).map((i) => i.outcome),
    ['timeout'],
  );
  assert.deepEqual(
    (await listIssues(db, 'default', { from: at(10), to: at(20) })).map((i) => `${i.outcome} ${i.count}`),
    ['circuit_open 11'],
  );
});

test('a short-circuit without a recorded opening says so; other causes are the status or the error', () => {
  assert.equal(
    issueCause({ outcome: 'circuit_open', status: null, errorType: 'circuit_open' }),
    'breaker open (no opening recorded in the range)',
  );
  assert.equal(
    issueCause(
      { outcome: 'circuit_open', status: null, errorType: null },
      { at: T0, reason: 'probe failed', lastFailure: null },
    ),
    'after probe failed',
  );
  assert.equal(issueCause({ outcome: 'network', status: null, errorType: 'network_refused' }), 'network_refused');
  const merged = mergeGroups([
    {
      integrationId: 'a',
      route: '/x',
      outcome: 'circuit_open',
      status: null,
      errorType: 'circuit_open',
      count: 2,
      firstSeen: at(1),
      lastSeen: at(2),
    },
    {
      integrationId: 'a',
      route: '/x',
      outcome: 'circuit_open',
      status: null,
      errorType: 'half_open_full',
      count: 3,
      firstSeen: at(0),
      lastSeen: at(3),
    },
  ]);
  assert.deepEqual(
    merged.map((g) => [g.count, g.firstSeen.getTime(), g.lastSeen.getTime()]),
    [[5, at(0).getTime(), at(3).getTime()]],
  );
});
