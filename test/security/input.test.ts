import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PASS_THROUGH_POLICY } from '../support/server';
import { writtenState } from './fingerprint';
import { type SecurityHarness, startHarness } from './support';

// Bad input on the real server (SQLite by default, PostgreSQL with BREAKWATER_TEST_PROVIDER=postgresql):
// each case is a 4xx naming the field, and nothing is written.
let h: SecurityHarness;
const JSON_LIMIT = 64 * 1024; // BREAKWATER_MAX_JSON_BYTES left at its default

before(async () => {
  h = await startHarness();
  const created = await postJson('/api/integrations', {
    name: 'Payments',
    slug: 'payments',
    baseUrl: 'http://127.0.0.1:9/base',
    authScheme: 'none',
    policy: PASS_THROUGH_POLICY,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
});

after(async () => {
  await h?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
type Answer = { status: number; body: any };

async function send(path: string, init: RequestInit & { auth?: 'cookie' | 'token' | 'none' }): Promise<Answer> {
  const response = await h.api(path, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A JSON request; a string body is sent as written (malformed or hand-escaped JSON). */
function postJson(path: string, body: unknown, method = 'POST', contentType = 'application/json') {
  return send(path, {
    method,
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Runs a refused request and checks it wrote nothing. */
async function refused(what: string, run: () => Promise<Answer>, status: number, field?: string) {
  const before = await writtenState(h.db);
  const answer = await run();
  assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(typeof answer.body?.error, 'string', `${what}: a JSON error`);
  if (field !== undefined) assert.equal(answer.body.field, field, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(await writtenState(h.db), before, `${what} wrote nothing`);
  return answer;
}

describe('JSON bodies', () => {
  test('a body not sent as JSON is a 415, on the public login too', async () => {
    await refused(
      'token as text/plain',
      () => postJson('/api/tokens', { name: 'x' }, 'POST', 'text/plain'),
      415,
      '(body)',
    );
    await refused(
      'token as a form',
      () => postJson('/api/tokens', 'name=x', 'POST', 'application/x-www-form-urlencoded'),
      415,
      '(body)',
    );
    await refused(
      'login as text/plain',
      () =>
        send('/api/auth/login', {
          auth: 'none',
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ username: 'admin', password: 'test-admin-password-123' }),
        }),
      415,
      '(body)',
    );
    const merged = await postJson(
      '/api/tokens',
      { name: 'json with charset' },
      'POST',
      'application/json; charset=utf-8',
    );
    assert.equal(merged.status, 201, 'parameters on application/json are fine');
    const suffixed = await postJson('/api/tokens', { name: 'json suffix' }, 'POST', 'application/merge-patch+json');
    assert.equal(suffixed.status, 201, 'a +json type is JSON');
  });

  test('a body over the limit is a 413, declared or streamed, on the public login too', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(JSON_LIMIT) });
    await refused('declared', () => postJson('/api/tokens', big), 413, '(body)');
    const streamed = () => {
      const bytes = new TextEncoder().encode(big);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 8192) controller.enqueue(bytes.subarray(at, at + 8192));
          controller.close();
        },
      });
      // A stream has no Content-Length: it is sent chunked, so only the bytes read can tell.
      return send('/api/tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
    };
    await refused('streamed', streamed, 413, '(body)');
    await refused(
      'login',
      () =>
        send('/api/auth/login', {
          auth: 'none',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: 'p'.repeat(JSON_LIMIT) }),
        }),
      413,
      '(body)',
    );
  });

  test('deeply nested JSON is a 400, not a stack overflow', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    await refused('20k deep array', () => postJson('/api/integrations', deep), 400, '(body)');
    const deepObject = `{"name":"x","policy":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`;
    await refused('40 deep object', () => postJson('/api/integrations', deepObject), 400, '(body)');
    // Brackets inside strings are text, not nesting.
    const bracketsInText = await postJson('/api/tokens', { name: '['.repeat(60) });
    assert.equal(bracketsInText.status, 201);
  });

  test('a lone surrogate or NUL in a field or key is a 400 naming it', async () => {
    await refused('value', () => postJson('/api/tokens', '{"name":"a\\ud800b"}'), 400, 'name');
    await refused(
      'nested value',
      () =>
        postJson(
          '/api/integrations',
          '{"name":"X","slug":"x","baseUrl":"http://127.0.0.1:9/","policy":{"fallback":{"headers":{"x-a":"\\udc00"}}}}',
        ),
      400,
      'policy.fallback.headers.x-a',
    );
    const key = await refused('key', () => postJson('/api/tokens', '{"name":"x","\\ud83d":1}'), 400);
    assert.equal(key.body.field, '\ud83d');
    await refused('NUL', () => postJson('/api/tokens', '{"name":"a\\u0000b"}'), 400, 'name');
    const pair = await postJson('/api/tokens', '{"name":"a \\ud83d\\ude00 b"}');
    assert.equal(pair.status, 201, 'a surrogate pair is an ordinary character');
  });
});

describe('paths and queries', () => {
  // No database stores NUL (PostgreSQL refuses it in text): a "%00" anywhere is refused before a lookup.
  const cases: [string, string, RequestInit & { auth?: 'cookie' | 'token' | 'none' }, string][] = [
    ['segment', '/api/integrations/pay%00ments', { method: 'GET' }, '(path)'],
    ['segment of a write', '/api/integrations/%00', { method: 'DELETE' }, '(path)'],
    ['gateway integration', '/api/gw/%00/v1/x', { method: 'GET', auth: 'token' }, '(path)'],
    ['webhook source', '/api/webhooks/%00', { method: 'POST', auth: 'none', body: '{}' }, '(path)'],
    ['query value', '/api/calls?integration=%00', { method: 'GET' }, 'integration'],
    [
      'query value of a series',
      '/api/jobs/stats/series?from=2026-01-01&integration=a%00',
      { method: 'GET' },
      'integration',
    ],
  ];
  for (const [what, path, init, field] of cases)
    test(`NUL in a ${what} is a 400 naming ${field}`, async () => {
      await refused(what, () => send(path, init), 400, field);
    });
});

describe('dates', () => {
  const cases: [string, string][] = [
    ['/api/calls?to=-271821-04-20T00:00:00Z', 'to'],
    ['/api/calls?from=%2B275760-09-13T00:00:00Z', 'from'],
    ['/api/calls?from=1900-01-01T00:00:00Z', 'from'],
    ['/api/webhook-events?to=-271821-04-20T00:00:00Z', 'to'],
    ['/api/webhook-sources?from=-271821-04-20T00:00:00Z', 'from'],
    ['/api/integrations/payments/timeseries?from=-271821-04-20T00:00:00Z', 'from'],
    ['/api/integrations/payments/timeseries?from=2026-01-01T00:00:00Z&to=9999-12-31T00:00:00Z', 'to'],
    ['/api/jobs/stats/series?from=-271821-04-20T00:00:00Z', 'from'],
    ['/api/webhook-sources/nope/counts?from=not-a-date', 'from'],
    ['/api/integrations/payments/timeseries?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'to'],
  ];
  for (const [path, field] of cases)
    test(`GET ${path} is a 400 naming ${field}`, async () => {
      await refused(path, () => send(path, { method: 'GET' }), 400, field);
    });

  test('a silence out of the date window is a 400 naming the field', async () => {
    const silence = {
      comment: 'maintenance',
      integration: 'payments',
      startsAt: '-271821-04-20T00:00:00Z',
      endsAt: '2026-01-01T00:00:00Z',
    };
    await refused('silence', () => postJson('/api/alerts/silences', silence), 400, 'startsAt');
  });

  test('a bulk replay filter out of the date window is a 400 naming the field', async () => {
    await refused(
      'bulk replay',
      () => postJson('/api/replay/bulk', { filter: { to: '-271821-04-20T00:00:00Z' }, dryRun: true }),
      400,
      'filter.to',
    );
  });
});

describe('header names and values in configuration', () => {
  const policyCases: [string, unknown, string][] = [
    ['fallback header name', { fallback: { kind: 'static', headers: { 'bad name': 'x' } } }, 'policy.fallback.headers'],
    [
      'fallback header value',
      { fallback: { kind: 'static', headers: { 'x-ok': 'a\r\nset-cookie: x=1' } } },
      'policy.fallback.headers.x-ok',
    ],
    [
      'idempotency header CRLF',
      { idempotency: { header: 'Idempotency-Key\r\nX-Evil: 1' } },
      'policy.idempotency.header',
    ],
    ['idempotency header NUL', { idempotency: { header: 'Idem\u0000' } }, 'policy.idempotency.header'],
    ['vary header', { cache: { varyHeaders: ['accept language'] } }, 'policy.cache.varyHeaders.0'],
    ['tracking header', { trackingHeaders: ['x:id'] }, 'policy.trackingHeaders.0'],
  ];
  for (const [what, policy, field] of policyCases) {
    test(`${what}: refused on create and on update`, async () => {
      const create = await refused(
        `${what} create`,
        () => postJson('/api/integrations', { name: 'Bad', slug: 'bad', baseUrl: 'http://127.0.0.1:9/', policy }),
        400,
      );
      assert.ok(String(create.body.field).startsWith(field), `${what}: ${create.body.field}`);
      const update = await refused(
        `${what} update`,
        () => postJson('/api/integrations/payments', { policy }, 'PATCH'),
        400,
      );
      assert.ok(String(update.body.field).startsWith(field), `${what}: ${update.body.field}`);
    });
  }

  test('an auth header name with CRLF is refused', async () => {
    await refused(
      'authHeader',
      () =>
        postJson('/api/integrations', {
          name: 'Bad',
          slug: 'bad',
          baseUrl: 'http://127.0.0.1:9/',
          authScheme: 'header',
          authHeader: 'X-Key\r\nX-Evil',
          secretEnv: 'BREAKWATER_SECRET_BAD',
        }),
      400,
      'authHeader',
    );
  });

  test('job and replay headers are checked as HTTP headers', async () => {
    const job = await refused(
      'job header',
      () =>
        postJson('/api/jobs', { integration: 'payments', method: 'GET', path: '/x', headers: { 'x-a': 'b\r\nc: d' } }),
      400,
    );
    assert.equal(job.body.field, 'headers.x-a');
    const named = await refused(
      'job header name',
      () => postJson('/api/jobs', { integration: 'payments', method: 'GET', path: '/x', headers: { 'a b': 'c' } }),
      400,
    );
    assert.ok(String(named.body.field).startsWith('headers'), named.body.field);
  });
});
