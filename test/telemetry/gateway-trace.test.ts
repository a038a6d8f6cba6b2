import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { type BreakwaterServer, callApi, eventually, signIn, startBreakwater } from '../support/server';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver';
import { startTestUpstream, type TestUpstream } from './support';

// The production server continuing a caller's W3C trace context: SERVER span for the gateway request,
// the logical call span under it, a CLIENT span per attempt under that, and each upstream request
// parented on its own CLIENT span; exported over OTLP/HTTP (JSON) to a receiver in this process.
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const CALLER_TRACESTATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;
const SERVER = 2;
const INTERNAL = 1;
const CLIENT = 3;
const ERROR = 2;

let database: TestDatabase;
let upstream: TestUpstream;
let receiver: OtlpReceiver;
let server: BreakwaterServer | undefined;
let token: string;
let cookie: string;

async function gateway(target: BreakwaterServer, path: string, headers: Record<string, string> = {}, slug = 'traced') {
  return fetch(`${target.url}/api/gw/${slug}/${path}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
    signal: AbortSignal.timeout(60_000),
  });
}

/** The spans of one gateway request, once its SERVER span and `count` spans of its trace have arrived. */
function spansOf(requestId: string, count: number): Promise<{ server: ReceivedSpan; trace: ReceivedSpan[] }> {
  return eventually(`${count} spans of request ${requestId}`, () => {
    const serverSpan = receiver.spans.find(
      (s) => s.kind === SERVER && s.attributes['breakwater.request_id'] === requestId,
    );
    if (!serverSpan) return undefined;
    const trace = receiver.spans.filter((s) => s.traceId === serverSpan.traceId);
    return trace.length >= count ? { server: serverSpan, trace } : undefined;
  });
}

before(async () => {
  database = await createTestDatabase('sqlite');
  upstream = await startTestUpstream();
  receiver = await new OtlpReceiver().start();
  server = await startBreakwater(database.url, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_METRICS_EXPORTER: 'none',
  });
  cookie = await signIn(server);
  token = (await callApi(server, cookie, '/api/tokens', { method: 'POST', body: { name: 'trace test' } })).body.token;
  const created = await callApi(server, cookie, '/api/integrations', {
    method: 'POST',
    body: {
      name: 'Traced',
      slug: 'traced',
      baseUrl: upstream.url,
      authScheme: 'none',
      policy: {
        retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 2 },
        cache: { enabled: false },
        rateLimit: { enabled: false },
      },
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
});

after(async () => {
  await server?.stop();
  await upstream?.close();
  await receiver?.close();
  await database?.drop();
});

test("a caller's trace is continued: SERVER span, call span, a CLIENT span per attempt, upstreams parented on theirs", async () => {
  const requestId = 'caller-req.1:a_b-c';
  const response = await gateway(server!, 'flaky/orders?id=7', {
    traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
    tracestate: CALLER_TRACESTATE,
    'x-request-id': requestId,
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-request-id'), requestId, 'the caller’s request id is adopted and echoed');
  assert.equal(response.headers.get('x-breakwater-attempts'), '2');

  const { server: serverSpan, trace } = await spansOf(requestId, 4);
  assert.ok(
    trace.every((s) => s.traceId === CALLER_TRACE),
    'one trace id throughout',
  );
  assert.equal(serverSpan.parentSpanId, CALLER_SPAN);
  assert.equal(serverSpan.traceState, CALLER_TRACESTATE);
  assert.equal(serverSpan.name, 'GET /api/gw/{integration}/{path}');
  assert.deepEqual(
    {
      method: serverSpan.attributes['http.request.method'],
      route: serverSpan.attributes['http.route'],
      status: serverSpan.attributes['http.response.status_code'],
      scheme: serverSpan.attributes['url.scheme'],
      integration: serverSpan.attributes['breakwater.integration'],
    },
    { method: 'GET', route: '/api/gw/{integration}/{path}', status: 200, scheme: 'http', integration: 'traced' },
  );
  assert.notEqual(serverSpan.statusCode, ERROR);

  const calls = trace.filter((s) => s.kind === INTERNAL);
  assert.equal(calls.length, 1);
  const [call] = calls;
  assert.equal(call.parentSpanId, serverSpan.spanId, 'the call span is the SERVER span’s child');
  assert.equal(call.attributes['breakwater.request_id'], requestId);

  const attempts = trace.filter((s) => s.kind === CLIENT);
  assert.equal(attempts.length, 2);
  assert.ok(
    attempts.every((a) => a.parentSpanId === call.spanId),
    'each CLIENT span is the call span’s child',
  );
  const failed = attempts.find((a) => a.attributes['http.response.status_code'] === 503)!;
  const resent = attempts.find((a) => a.attributes['http.response.status_code'] === 200)!;
  assert.equal(failed.statusCode, ERROR);
  assert.equal(failed.attributes['error.type'], '503');
  assert.equal(failed.attributes['http.request.resend_count'], undefined);
  assert.equal(resent.attributes['http.request.resend_count'], 1);
  assert.notEqual(resent.statusCode, ERROR);
  assert.equal(resent.attributes['error.type'], undefined);
  for (const a of attempts) {
    assert.equal(a.attributes['http.request.method'], 'GET');
    assert.equal(a.attributes['server.address'], '127.0.0.1');
    assert.equal(a.attributes['server.port'], Number(new URL(upstream.url).port));
    assert.equal(a.attributes['url.full'], `${upstream.url}/flaky/orders?id=REDACTED`);
  }

  const sent = upstream.requests.filter((r) => r.headers['x-request-id'] === requestId);
  assert.equal(sent.length, 2);
  assert.deepEqual(
    sent.map((r) => r.headers.traceparent),
    [`00-${CALLER_TRACE}-${failed.spanId}-01`, `00-${CALLER_TRACE}-${resent.spanId}-01`],
    'each upstream request names its own CLIENT span as parent',
  );
  for (const r of sent) assert.equal(r.headers.tracestate, CALLER_TRACESTATE);
});

test('without a caller traceparent a new trace starts with the SERVER span as its root', async () => {
  const response = await gateway(server!, 'cards/1');
  assert.equal(response.status, 200);
  const requestId = response.headers.get('x-request-id')!;
  assert.match(requestId, UUID);
  const { server: serverSpan, trace } = await spansOf(requestId, 3);
  assert.equal(serverSpan.parentSpanId, '');
  assert.notEqual(serverSpan.traceId, CALLER_TRACE);
  const call = trace.find((s) => s.kind === INTERNAL)!;
  assert.equal(call.parentSpanId, serverSpan.spanId);
  const [attempt] = trace.filter((s) => s.kind === CLIENT);
  assert.equal(attempt.parentSpanId, call.spanId);
  const [sent] = upstream.requests.filter((r) => r.headers['x-request-id'] === requestId);
  assert.equal(sent.headers.traceparent, `00-${serverSpan.traceId}-${attempt.spanId}-01`);
  assert.equal(sent.headers.tracestate, undefined);
});

test('a malformed caller request id or traceparent is replaced, not passed on', async () => {
  for (const malformed of ['has spaces', 'x'.repeat(129), 'semi;colon', 'path/like', '']) {
    const response = await gateway(server!, 'cards/2', {
      'x-request-id': malformed,
      traceparent: `00-${CALLER_TRACE.toUpperCase()}-${CALLER_SPAN}-01`,
      tracestate: CALLER_TRACESTATE,
    });
    assert.equal(response.status, 200);
    const requestId = response.headers.get('x-request-id')!;
    assert.match(requestId, UUID, malformed);
    const [sent] = upstream.requests.filter((r) => r.headers['x-request-id'] === requestId);
    assert.ok(sent, 'the upstream got the new id');
    assert.doesNotMatch(String(sent.headers.traceparent), new RegExp(CALLER_TRACE, 'i'));
    assert.equal(sent.headers.tracestate, undefined, 'tracestate is dropped with an invalid traceparent');
  }
});

test('refused and failed gateway requests echo the request id; only a 5xx makes the SERVER span an error', async () => {
  const refused = await fetch(`${server!.url}/api/gw/traced/cards/3`, { headers: { 'x-request-id': 'no-token-1' } });
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('x-request-id'), 'no-token-1');
  const failing = await gateway(server!, 'fail', { 'x-request-id': 'upstream-fails-1' });
  assert.equal(failing.status, 500);
  assert.equal(failing.headers.get('x-request-id'), 'upstream-fails-1');
  const { server: refusedSpan } = await spansOf('no-token-1', 1);
  assert.equal(refusedSpan.attributes['http.response.status_code'], 401);
  assert.notEqual(refusedSpan.statusCode, ERROR);
  const { server: failedSpan } = await spansOf('upstream-fails-1', 1);
  assert.equal(failedSpan.attributes['http.response.status_code'], 500);
  assert.equal(failedSpan.attributes['error.type'], '500');
  assert.equal(failedSpan.statusCode, ERROR);

  // An upstream nobody listens on: the gateway's 502 names the client's error kind on the SERVER span.
  const down = await callApi(server!, cookie, '/api/integrations', {
    method: 'POST',
    body: {
      name: 'Down',
      slug: 'down',
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      authScheme: 'none',
      policy: { retry: { maxRetries: 0 } },
    },
  });
  assert.equal(down.status, 201, JSON.stringify(down.body));
  const unreachable = await gateway(server!, 'x', { 'x-request-id': 'upstream-down-1' }, 'down');
  assert.equal(unreachable.status, 502);
  assert.equal(unreachable.headers.get('x-request-id'), 'upstream-down-1');
  const { server: downSpan } = await spansOf('upstream-down-1', 1);
  assert.equal(downSpan.attributes['error.type'], 'network_refused');
  assert.equal(downSpan.statusCode, ERROR);
});

test('BREAKWATER_TRUST_REQUEST_ID=false replaces even a well-formed caller request id', async () => {
  await server!.stop();
  server = await startBreakwater(database.url, { BREAKWATER_TRUST_REQUEST_ID: 'false' });
  const response = await gateway(server, 'cards/4', { 'x-request-id': 'caller-req-2' });
  assert.equal(response.status, 200);
  const requestId = response.headers.get('x-request-id')!;
  assert.match(requestId, UUID);
  const [sent] = upstream.requests.filter((r) => r.headers['x-request-id'] === requestId);
  assert.ok(sent, 'the upstream got the new id, not the caller’s');
  assert.equal(upstream.requests.filter((r) => r.headers['x-request-id'] === 'caller-req-2').length, 0);
});
