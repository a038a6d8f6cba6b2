import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type ApiAnswer,
  type BreakwaterServer,
  callApi,
  eventually,
  PASS_THROUGH_POLICY,
  signIn,
  startBreakwater,
} from '../support/server';
import { startTestUpstream, type TestUpstream } from './support';

// A caller that resends its own x-request-id (as clients do on their retries) gets one call-log row per
// call: none is dropped on the repeated id, and the id still finds them (the call page the newest, the
// explorer all of them).
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;
const REPEATED_ID = 'order-42.retry:ab_c';

let database: TestDatabase;
let upstream: TestUpstream;
let server: BreakwaterServer | undefined;
let token: string;
let cookie: string;

function gateway(path: string, headers: Record<string, string> = {}) {
  return fetch(`${server!.url}/api/gw/repeats/${path}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
    signal: AbortSignal.timeout(60_000),
  });
}

/** The explorer's answer for one request id, once it lists `count` calls. */
function explorerCalls(requestId: string, count: number): Promise<ApiAnswer> {
  return eventually(`${count} calls with request id ${requestId} in the explorer`, async () => {
    const answer = await callApi(server!, cookie, `/api/calls?requestId=${encodeURIComponent(requestId)}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.calls.length >= count ? answer : undefined;
  });
}

before(async () => {
  database = await createTestDatabase();
  upstream = await startTestUpstream();
  server = await startBreakwater(database.url);
  cookie = await signIn(server);
  token = (await callApi(server, cookie, '/api/tokens', { method: 'POST', body: { name: 'repeats' } })).body.token;
  const created = await callApi(server, cookie, '/api/integrations', {
    method: 'POST',
    body: { name: 'Repeats', slug: 'repeats', baseUrl: upstream.url, authScheme: 'none', policy: PASS_THROUGH_POLICY },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
});

after(async () => {
  await server?.stop();
  await upstream?.close();
  await database?.drop();
});

test('the same caller x-request-id three times: three call-log rows, none dropped, all found by that id', async () => {
  // The upstream answers 500, so the call log keeps every call (no success sampling in the way).
  for (let i = 0; i < 3; i++) {
    const response = await gateway(`fail/${i}`, { 'x-request-id': REPEATED_ID });
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('x-request-id'), REPEATED_ID, 'the caller’s id is echoed each time');
    await response.arrayBuffer();
  }
  assert.deepEqual(
    upstream.requests.filter((r) => r.path.startsWith('/fail/')).map((r) => r.headers['x-request-id']),
    [REPEATED_ID, REPEATED_ID, REPEATED_ID],
    'the upstream receives the caller’s id',
  );

  const { calls } = (await explorerCalls(REPEATED_ID, 3)).body;
  assert.equal(calls.length, 3);
  assert.deepEqual(
    calls.map((c: { path: string }) => c.path).sort(),
    ['/fail/0', '/fail/1', '/fail/2'],
    'one row per call',
  );
  for (const c of calls) {
    assert.equal(c.requestId, REPEATED_ID);
    assert.match(c.id, UUID, 'each call has its own key');
  }
  assert.equal(new Set(calls.map((c: { id: string }) => c.id)).size, 3);

  const metrics = await fetch(`${server!.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /^breakwater_telemetry_dropped_total\{kind="call_log"\} 0$/m, 'nothing dropped');

  // The explorer lists newest first; the call page for the request id answers that newest call.
  const page = await callApi(server!, cookie, `/api/calls/${REPEATED_ID}`);
  assert.equal(page.status, 200, JSON.stringify(page.body));
  assert.equal(page.body.call.id, calls[0].id);
  assert.equal(page.body.call.path, '/fail/2');
  assert.equal(page.body.call.requestId, REPEATED_ID);
  assert.equal(page.body.call.attempts.length, 1, 'its attempts follow it');

  // Each call's page is its own id; a replay named by the request id links to the newest call's id.
  const older = await callApi(server!, cookie, `/api/calls/${calls[2].id}`);
  assert.equal(older.body.call.path, '/fail/0');
  const replay = await callApi(server!, cookie, `/api/calls/${REPEATED_ID}/replay`, {
    method: 'POST',
    body: { mode: 'as-recorded' },
  });
  assert.equal(replay.status, 200, JSON.stringify(replay.body));
  assert.equal(replay.body.replayOf, calls[0].id);
  const replays = await callApi(server!, cookie, `/api/calls/${calls[0].id}`);
  assert.deepEqual(
    replays.body.call.replays.map((r: { id: string }) => r.id),
    [replay.body.replayId],
  );
});

test('an id the gateway made itself stays the call’s key', async () => {
  for (const headers of [{}, { 'x-request-id': 'not well formed' }] as Record<string, string>[]) {
    const response = await gateway('fail/own', headers);
    assert.equal(response.status, 500);
    await response.arrayBuffer();
    const requestId = response.headers.get('x-request-id')!;
    assert.match(requestId, UUID);
    const page = await eventually(`the call ${requestId}`, async () => {
      const answer = await callApi(server!, cookie, `/api/calls/${requestId}`);
      return answer.status === 200 ? answer : undefined;
    });
    assert.equal(page.body.call.id, requestId);
    assert.equal(page.body.call.requestId, requestId);
  }
});

test('an unknown id is a 404 on the call page, and an empty list in the explorer', async () => {
  const page = await callApi(server!, cookie, '/api/calls/no-such-call');
  assert.equal(page.status, 404);
  const list = await callApi(server!, cookie, '/api/calls?requestId=no-such-call');
  assert.deepEqual(list.body.calls, []);
});
