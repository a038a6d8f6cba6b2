import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DemoUpstream, startDemoUpstream } from '@/demo/upstream';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type BreakwaterServer, callApi, eventually, signIn, startBreakwater } from '../support/server';

// The explorer mid-incident on the production server (SQLite, or PostgreSQL with
// BREAKWATER_TEST_PROVIDER=postgresql): a total 500 outage behind the real gateway, then the attempt
// filter, the Issues endpoint and the route table read what the recorder stored.
let database: TestDatabase;
let server: BreakwaterServer;
let upstream: DemoUpstream;
let cookie: string;
let token: string;
const CALLS = 12;

const api = (path: string) => callApi(server, cookie, path);

before(async () => {
  database = await createTestDatabase();
  upstream = await startDemoUpstream({ eventsPerSec: 0 });
  server = await startBreakwater(database.url);
  cookie = await signIn(server);
  token = (await callApi(server, cookie, '/api/tokens', { method: 'POST', body: { name: 'issues' } })).body.token;
  const created = await callApi(server, cookie, '/api/integrations', {
    method: 'POST',
    body: {
      name: 'CRM',
      slug: 'crm',
      baseUrl: `${upstream.url}/crm`,
      policy: {
        cache: { enabled: false },
        rateLimit: { enabled: false },
        retry: { maxRetries: 1, initialDelayMs: 5, jitter: false },
        breaker: { consecutiveFailures: 3, openMs: 600_000 },
      },
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const fault = await fetch(`${upstream.url}/__control/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ route: '/crm/*', mode: 'fail', failStatus: 500 }),
  });
  assert.equal(fault.status, 200);
  for (let i = 0; i < CALLS; i++) {
    const answer = await fetch(`${server.url}/api/gw/crm/v1/contacts/p${i}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.ok(answer.status >= 500, `call ${i} answered ${answer.status}`);
    await answer.arrayBuffer();
  }
});

after(async () => {
  await server?.stop();
  await upstream?.close();
  await database?.drop();
});

test('"any attempt 5xx" lists the calls whose attempts got a 500, even those that ended circuit_open', async () => {
  const { body } = await eventually('the outage calls in the log', async () => {
    const answer = await api('/api/calls?integration=crm&limit=200');
    return answer.body.calls.length === CALLS ? answer : undefined;
  });
  const withAttempts = body.calls.filter((c: { attemptCount: number }) => c.attemptCount > 0);
  const shortCircuits = body.calls.filter((c: { servedBy: string | null }) => c.servedBy === 'breaker');
  assert.ok(shortCircuits.length > 0, 'the breaker short-circuited the later calls');
  assert.equal(withAttempts.length + shortCircuits.length, CALLS);
  const filtered = await api('/api/calls?integration=crm&attempt=5xx&limit=200');
  assert.equal(filtered.status, 200);
  assert.deepEqual(
    filtered.body.calls.map((c: { id: string }) => c.id).sort(),
    withAttempts.map((c: { id: string }) => c.id).sort(),
  );
  assert.ok(filtered.body.calls.some((c: { outcome: string }) => c.outcome === 'circuit_open'));
  assert.equal((await api('/api/calls?integration=crm&attempt=4xx')).body.calls.length, 0);
  const bad = await api('/api/calls?attempt=500');
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /attempt/);
});

test('the Issues endpoint groups the outage into a few lines, naming what opened the breaker', async () => {
  const { body } = await api('/api/issues?integration=crm');
  const lines = body.issues.map(
    (i: { outcome: string; route: string; cause: string }) => `${i.outcome} ${i.route} ${i.cause}`,
  );
  assert.ok(
    lines.includes('circuit_open /v1/contacts/:id after 3 consecutive failures (last attempt: HTTP 500)'),
    lines.join('\n'),
  );
  assert.ok(lines.includes('server_error /v1/contacts/:id HTTP 500'), lines.join('\n'));
  const total = body.issues.reduce((n: number, i: { count: number }) => n + i.count, 0);
  assert.equal(total, CALLS);
  for (const [query, field] of [
    ['from=yesterday', 'from'],
    [`from=${new Date().toISOString()}&to=${new Date(Date.now() - 60_000).toISOString()}`, 'to'],
    ['limit=0', 'limit'],
  ]) {
    const answer = await api(`/api/issues?${query}`);
    assert.equal(answer.status, 400, query);
    assert.match(JSON.stringify(answer.body), new RegExp(field), query);
  }
  assert.equal((await callApi(server, '', '/api/issues')).status, 401);
});

test('the route table counts the outage on one templated route, the upstream failing every call it got', async () => {
  const { body } = await eventually('the rollups', async () => {
    const answer = await api('/api/integrations/crm/routes');
    return answer.body.routes?.[0]?.calls === CALLS ? answer : undefined;
  });
  assert.equal(body.routes.length, 1);
  const [route] = body.routes;
  assert.equal(route.route, '/v1/contacts/:id');
  assert.equal(route.callerErrorRate, 1);
  assert.equal(route.upstreamErrorRate, 1);
  assert.ok(route.rejections > 0);
  assert.equal((await api('/api/integrations/nope/routes')).status, 404);
});

test('/api/metrics has one route series for the twelve contact paths', async () => {
  const text = await eventually('the call counter', async () => {
    const body = await (
      await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } })
    ).text();
    return body.includes('route="/v1/contacts/:id"') ? body : undefined;
  });
  assert.doesNotMatch(text, /\/v1\/contacts\/p\d/);
});
