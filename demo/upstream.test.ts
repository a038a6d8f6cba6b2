import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import type { FaultSpecInput } from './faults.ts';
import { type DemoUpstream, startDemoUpstream } from './upstream.ts';

let upstream: DemoUpstream;
// Own agent, so the sockets that hang and reset tests break are not shared with other test files.
const agent = new Agent();

before(async () => {
  upstream = await startDemoUpstream({ seed: 42, eventsPerSec: 0, eventsBacklog: 25 });
});

after(async () => {
  await upstream.close();
  await agent.close();
});

beforeEach(async () => {
  await control('POST', '/reset');
});

async function control(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown) {
  const response = await request(`${upstream.url}/__control${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    dispatcher: agent,
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

async function setFault(fault: FaultSpecInput): Promise<void> {
  const { status, body } = await control('PUT', '/faults', fault);
  assert.equal(status, 200, JSON.stringify(body));
}

async function call(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const response = await request(`${upstream.url}${path}`, {
    method: (options.method ?? 'GET') as 'GET',
    headers: options.headers,
    body: options.body,
    dispatcher: agent,
  });
  const body = (await response.body.json()) as Record<string, unknown>;
  return { status: response.statusCode, headers: response.headers, body };
}

describe('API routes', () => {
  test('GET echoes method, path, query and a request counter, and is cacheable', async () => {
    await call('/crm/api/contacts');
    const response = await call('/crm/api/contacts?page=2');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      ok: true,
      method: 'GET',
      path: '/crm/api/contacts',
      query: { page: '2' },
      n: 2,
      bodyBytes: 0,
    });
    assert.equal(response.headers['cache-control'], 'max-age=60');
    assert.match(String(response.headers['x-upstream-request-id']), /^[0-9a-f-]{36}$/);
  });

  test('POST echoes the body length, carries a tracking id and no Cache-Control', async () => {
    const response = await call('/payments/v1/charges', { method: 'POST', body: '{"amount":1200}' });
    assert.equal(response.body.bodyBytes, 15);
    assert.equal(response.headers['cache-control'], undefined);
    assert.ok(response.headers['x-upstream-request-id']);
  });

  test('a route can override Cache-Control', async () => {
    await setFault({ route: '/geo/*', cacheControl: 'no-store' });
    assert.equal((await call('/geo/v1/lookup')).headers['cache-control'], 'no-store');
  });
});

describe('faults', () => {
  test("mode 'fail' honours the fail rate, reproducibly for a seed", async () => {
    await setFault({ route: '/email/*', mode: 'fail', failRate: 0.3 });
    const outcomes: number[] = [];
    for (let i = 0; i < 400; i++) outcomes.push((await call('/email/v3/mail/send')).status);
    const failures = outcomes.filter((status) => status === 503).length;
    assert.ok(failures > 80 && failures < 160, `${failures} of 400 failed`);
    assert.deepEqual(new Set(outcomes), new Set([200, 503]));

    await control('POST', '/reset');
    await setFault({ route: '/email/*', mode: 'fail', failRate: 0.3 });
    const replay: number[] = [];
    for (let i = 0; i < 400; i++) replay.push((await call('/email/v3/mail/send')).status);
    assert.deepEqual(replay, outcomes);
  });

  test("mode 'fail' uses failStatus and Retry-After", async () => {
    await setFault({ route: '/identity/*', mode: 'fail', failStatus: 502, retryAfter: 3 });
    const response = await call('/identity/v2/checks/chk_1');
    assert.equal(response.status, 502);
    assert.equal(response.headers['retry-after'], '3');
    assert.equal(response.headers['cache-control'], undefined);
  });

  test("mode 'ratelimit' answers 429 with Retry-After seconds and X-RateLimit headers", async () => {
    await setFault({ route: '/crm/*', mode: 'ratelimit', retryAfter: 7, rateLimit: { limit: 100, windowSec: 60 } });
    const response = await call('/crm/api/contacts');
    assert.equal(response.status, 429);
    assert.equal(response.headers['retry-after'], '7');
    assert.equal(response.headers['x-ratelimit-limit'], '100');
    assert.equal(response.headers['x-ratelimit-remaining'], '0');
    assert.ok(Number(response.headers['x-ratelimit-reset']) >= Math.floor(Date.now() / 1000));
  });

  test("mode 'ratelimit' passes an HTTP-date Retry-After through", async () => {
    const date = new Date(Date.now() + 120_000).toUTCString();
    await setFault({ route: '/crm/*', mode: 'ratelimit', retryAfter: date });
    const response = await call('/crm/api/contacts');
    assert.equal(response.status, 429);
    assert.equal(response.headers['retry-after'], date);
  });

  test('rateLimit serves limit requests per window, then 429 with Retry-After', async () => {
    await setFault({ route: '/geo/*', rateLimit: { limit: 3, windowSec: 60 } });
    const responses = [];
    for (let i = 0; i < 4; i++) responses.push(await call('/geo/v1/lookup'));
    assert.deepEqual(
      responses.map((response) => response.status),
      [200, 200, 200, 429],
    );
    assert.deepEqual(
      responses.map((response) => response.headers['x-ratelimit-remaining']),
      ['2', '1', '0', '0'],
    );
    for (const response of responses) assert.equal(response.headers['x-ratelimit-limit'], '3');
    for (const response of responses) assert.equal(response.headers['ratelimit-policy'], '3;w=60');
    const retryAfter = Number(responses[3].headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  });

  test("mode 'reset' ends the connection with ECONNRESET", async () => {
    await setFault({ route: '/payments/*', mode: 'reset' });
    await assert.rejects(call('/payments/v1/charges', { method: 'POST', body: '{}' }), { code: 'ECONNRESET' });
    assert.deepEqual((await control('GET', '/stats')).body.byStatus, { reset: 1 });
  });

  test("mode 'hang' never answers, so the client's timeout fires", async () => {
    await setFault({ route: '/payments/*', mode: 'hang' });
    await assert.rejects(
      request(`${upstream.url}/payments/v1/charges/ch_1`, { dispatcher: agent, headersTimeout: 100 }),
      { code: 'UND_ERR_HEADERS_TIMEOUT' },
    );
    assert.deepEqual((await control('GET', '/stats')).body.byStatus, { hang: 1 });
  });

  test('an exact route wins over the longest prefix, which wins over *', async () => {
    await setFault({ route: '*', mode: 'fail', failStatus: 500 });
    await setFault({ route: '/payments/*', mode: 'fail', failStatus: 502 });
    await setFault({ route: '/payments/v1/*', mode: 'fail', failStatus: 503 });
    await setFault({ route: '/payments/v1/charges', mode: 'ok' });
    assert.equal((await call('/payments/v1/charges')).status, 200);
    assert.equal((await call('/payments/v1/refunds')).status, 503);
    assert.equal((await call('/payments/v2/charges')).status, 502);
    assert.equal((await call('/payments')).status, 502);
    assert.equal((await call('/paymentsx')).status, 500);
  });
});

describe('control API', () => {
  test('counts side effects per Idempotency-Key and lists duplicates', async () => {
    const post = (key?: string) =>
      call('/payments/v1/charges', { method: 'POST', body: '{}', headers: key ? { 'idempotency-key': key } : {} });
    await post('key-a');
    await post('key-a');
    await post('key-b');
    await post();
    await call('/payments/v1/charges/ch_1');
    assert.deepEqual((await control('GET', '/effects')).body, {
      total: 4,
      unkeyed: 1,
      byKey: { 'key-a': 2, 'key-b': 1 },
      duplicates: ['key-a'],
    });
  });

  test('a request that fails still performed its side effect', async () => {
    await setFault({ route: '/payments/*', mode: 'reset' });
    await assert.rejects(call('/payments/v1/charges', { method: 'POST', headers: { 'idempotency-key': 'k' } }));
    assert.deepEqual((await control('GET', '/effects')).body.byKey, { k: 1 });
  });

  test('stats count requests by route and status', async () => {
    await setFault({ route: '/email/v3/mail/send', mode: 'fail' });
    await call('/email/v3/mail/send', { method: 'POST' });
    await call('/crm/api/contacts');
    await call('/crm/api/contacts');
    assert.deepEqual((await control('GET', '/stats')).body, {
      total: 3,
      byRoute: { '/email/v3/mail/send': 1, '/crm/api/contacts': 2 },
      byStatus: { 200: 2, 503: 1 },
    });
  });

  test('last-request shows the headers that reached the upstream', async () => {
    assert.equal((await control('GET', '/last-request')).body, null);
    await call('/identity/v2/checks/chk_9?full=1', {
      headers: {
        authorization: 'Bearer sk_test',
        'x-request-id': 'req-1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    });
    const last = (await control('GET', '/last-request')).body;
    assert.equal(last.method, 'GET');
    assert.equal(last.path, '/identity/v2/checks/chk_9');
    assert.deepEqual(last.query, { full: '1' });
    const headers = last.headers as Record<string, string>;
    assert.equal(headers.authorization, 'Bearer sk_test');
    assert.equal(headers['x-request-id'], 'req-1');
    assert.equal(headers.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });

  test('bad fault input gets 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ mode: 'explode' }, 'mode'],
      [{ mode: 'fail', failRate: 1.5 }, 'failRate'],
      [{ latencyMs: { kind: 'uniform', min: 50, max: 10 } }, 'latencyMs.max'],
      [{ latencyMs: { kind: 'gaussian', ms: 1 } }, 'latencyMs.kind'],
      [{ route: 'payments' }, 'route'],
      [{ retryAfter: 'soon' }, 'retryAfter'],
      [{ rateLimit: { limit: 10 } }, 'rateLimit.windowSec'],
      [{ failrate: 0.5 }, 'failrate'],
    ];
    for (const [fault, field] of cases) {
      const { status, body } = await control('PUT', '/faults', fault);
      assert.equal(status, 400, JSON.stringify(fault));
      const fields = (body.issues as { field: string }[]).map((issue) => issue.field);
      assert.ok(fields.includes(field), `${JSON.stringify(fault)} named ${fields.join(', ')}, not ${field}`);
    }
    assert.equal((await control('PUT', '/faults', '{not json')).status, 400);
    assert.deepEqual((await control('GET', '/faults')).body, { faults: [] });
  });

  test('faults are listed with defaults, and can be deleted one route or all at once', async () => {
    await setFault({ route: '/payments/*', mode: 'fail', failRate: 0.05 });
    await setFault({ route: '/crm/*', mode: 'hang' });
    const listed = (await control('GET', '/faults')).body.faults as Record<string, unknown>[];
    assert.deepEqual(listed[0], { route: '/payments/*', mode: 'fail', failRate: 0.05, failStatus: 503 });
    assert.equal(listed.length, 2);

    await control('DELETE', `/faults?route=${encodeURIComponent('/crm/*')}`);
    assert.deepEqual(
      ((await control('GET', '/faults')).body.faults as { route: string }[]).map((fault) => fault.route),
      ['/payments/*'],
    );
    await control('DELETE', '/faults');
    assert.deepEqual((await control('GET', '/faults')).body, { faults: [] });
  });

  test('reset clears faults, effects and stats', async () => {
    await setFault({ mode: 'fail' });
    await call('/payments/v1/charges', { method: 'POST', headers: { 'idempotency-key': 'k' } });
    await control('POST', '/reset');
    assert.deepEqual((await control('GET', '/faults')).body, { faults: [] });
    assert.deepEqual((await control('GET', '/effects')).body, { total: 0, unkeyed: 0, byKey: {}, duplicates: [] });
    assert.deepEqual((await control('GET', '/stats')).body, { total: 0, byRoute: {}, byStatus: {} });
  });
});

describe('GET /events', () => {
  test('pages through an append-only feed with a cursor', async () => {
    const first = await call('/events?limit=10');
    const items = first.body.items as { id: string; at: string; type: string }[];
    assert.equal(items.length, 10);
    assert.equal(items[0].id, 'evt_00000000');
    assert.equal(first.body.next, '10');
    assert.equal(first.headers['cache-control'], 'no-store');

    const rest = await call('/events?since=10&limit=100');
    const restItems = rest.body.items as { id: string; at: string }[];
    assert.equal(restItems.length, 15);
    assert.equal(restItems[0].id, 'evt_00000010');
    assert.equal(rest.body.next, '25');
    const times = [...items, ...restItems].map((item) => Date.parse(item.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );

    const caughtUp = await call('/events?since=25');
    assert.deepEqual(caughtUp.body, { items: [], next: '25' });
  });

  test('is the same feed on every read', async () => {
    assert.deepEqual((await call('/events?since=3&limit=5')).body, (await call('/events?since=3&limit=5')).body);
  });

  test('rejects a bad cursor or limit', async () => {
    assert.equal((await call('/events?since=abc')).status, 400);
    assert.equal((await call('/events?limit=0')).status, 400);
  });
});
