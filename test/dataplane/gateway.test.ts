import assert from 'node:assert/strict';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createDb } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type BreakwaterServer,
  callApi,
  eventually,
  PASS_THROUGH_POLICY,
  signIn,
  startBreakwater,
} from '../support/server';

// The production server (server.ts) in front of a 127.0.0.1 upstream whose answer each test picks by path.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Upstream {
  url: string;
  routes: Map<string, Handler>;
  seen: { method: string; target: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  const routes = new Map<string, Handler>();
  const seen: Upstream['seen'] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', target: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '').split('?')[0];
    const handler = routes.get(path);
    if (handler) return handler(req, res);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Harness {
  server: BreakwaterServer;
  database: TestDatabase;
  token: string;
}

async function startHarness(upstream: Upstream, env: Record<string, string> = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const server = await startBreakwater(database.url, env);
  const cookie = await signIn(server);
  const created = await callApi(server, cookie, '/api/integrations', {
    method: 'POST',
    body: {
      name: 'Upstream',
      slug: 'up',
      baseUrl: `${upstream.url}/base`,
      authScheme: 'none',
      policy: PASS_THROUGH_POLICY,
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = await callApi(server, cookie, '/api/tokens', { method: 'POST', body: { name: 'dataplane tests' } });
  assert.equal(token.status, 201, JSON.stringify(token.body));
  return { server, database, token: token.body.token };
}

/** One request sent exactly as written: node:http neither normalises the target nor refuses hop-by-hop headers. */
function raw(
  h: Harness,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(h.server.url);
    const req = httpRequest({
      hostname,
      port,
      method,
      path,
      agent: false,
      headers: { authorization: `Bearer ${h.token}`, ...headers },
    });
    req.on('error', reject);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.end();
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the gateway on node:http', () => {
  let upstream: Upstream;
  let h: Harness;

  before(async () => {
    upstream = await startUpstream();
    h = await startHarness(upstream);
  });

  after(async () => {
    await h?.server.stop();
    await h?.database.drop();
    await upstream?.close();
  });

  test('HEAD, 204 and 304 answers come back without a body', async () => {
    upstream.routes.set('/base/thing', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-thing': 'yes' }).end('a body');
    });
    const head = await raw(h, 'HEAD', '/api/gw/up/thing');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers['x-thing'], 'yes');
    assert.equal(upstream.seen.at(-1)?.method, 'HEAD');

    upstream.routes.set('/base/deleted', (_req, res) => res.writeHead(204).end());
    const deleted = await raw(h, 'DELETE', '/api/gw/up/deleted');
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.equal(deleted.headers['content-length'], undefined);

    upstream.routes.set('/base/cached', (_req, res) => res.writeHead(304, { etag: '"v1"' }).end());
    const notModified = await raw(h, 'GET', '/api/gw/up/cached', { 'if-none-match': '"v1"' });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.text, '');
    assert.equal(notModified.headers.etag, '"v1"');
    assert.equal(upstream.seen.at(-1)?.headers['if-none-match'], '"v1"');
  });

  test('hop-by-hop headers are dropped both ways; end-to-end ones pass', async () => {
    upstream.routes.set('/base/hops', (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'keep-alive': 'timeout=99',
        upgrade: 'h2c',
        'x-upstream-custom': 'kept',
      });
      res.end('{}');
    });
    const answer = await raw(h, 'GET', '/api/gw/up/hops', {
      'keep-alive': 'timeout=42',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      'x-forwarded-for': '203.0.113.9',
      cookie: 'breakwater_session=secret',
      'x-caller-custom': 'kept',
    });
    assert.equal(answer.status, 200, answer.text);
    const sent = upstream.seen.at(-1)!.headers;
    for (const name of ['keep-alive', 'proxy-connection', 'te', 'x-forwarded-for', 'cookie', 'authorization'])
      assert.equal(sent[name], undefined, `${name} not forwarded`);
    assert.equal(sent['x-breakwater-peer'], undefined, "Breakwater's own peer header not forwarded");
    assert.equal(sent['x-caller-custom'], 'kept');
    assert.notEqual(answer.headers['keep-alive'], 'timeout=99', "the upstream's keep-alive is not passed on");
    assert.equal(answer.headers.upgrade, undefined);
    assert.equal(answer.headers['x-upstream-custom'], 'kept');
  });

  test('the query string reaches the upstream byte for byte, malformed escapes and plus signs included', async () => {
    const query = '?a=%2F&b=%zz&c=+&d=%E2%82%AC&flag';
    const answer = await raw(h, 'GET', `/api/gw/up/v1/search${query}`);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(upstream.seen.at(-1)?.target, `/base/v1/search${query}`);
  });

  test('every answer carries an x-request-id: success, 401, 404, 413 and a bad path', async () => {
    const ok = await raw(h, 'GET', '/api/gw/up/ok');
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers['x-request-id']), UUID);

    const unauthorized = await raw(h, 'GET', '/api/gw/up/ok', { authorization: 'Bearer bw_not-a-token' });
    assert.equal(unauthorized.status, 401);
    assert.match(String(unauthorized.headers['x-request-id']), UUID);
    assert.match(JSON.parse(unauthorized.text).error, /authentication required/);

    const unknown = await raw(h, 'GET', '/api/gw/nope/ok');
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.headers['x-request-id']), UUID);
    assert.deepEqual(JSON.parse(unknown.text), { error: 'integration "nope" not found' });

    const tooLarge = await raw(h, 'POST', '/api/gw/up/upload', { 'content-length': String(20 * 1024 * 1024) });
    assert.equal(tooLarge.status, 413);
    assert.match(String(tooLarge.headers['x-request-id']), UUID);
    assert.equal(JSON.parse(tooLarge.text).field, '(body)');

    for (const path of ['/api/gw/up/a%zzb', '/api/gw/up/a%00b']) {
      const bad = await raw(h, 'GET', path);
      assert.equal(bad.status, 400, path);
      assert.equal(JSON.parse(bad.text).field, '(path)');
      assert.match(String(bad.headers['x-request-id']), UUID);
    }
  });

  test('a 401 tells a missing token from an invalid or revoked one, in its message and its challenge', async () => {
    const missing = await fetch(`${h.server.url}/api/gw/up/ok`);
    assert.equal(missing.status, 401);
    assert.match((await missing.json()).error, /no token; send Authorization: Bearer <token>/);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="breakwater"');

    const wrongScheme = await raw(h, 'GET', '/api/gw/up/ok', { authorization: 'Basic dXNlcjpwYXNz' });
    assert.match(JSON.parse(wrongScheme.text).error, /no token/);

    const cookie = await signIn(h.server);
    const created = await callApi(h.server, cookie, '/api/tokens', { method: 'POST', body: { name: 'to revoke' } });
    assert.equal(created.status, 201);
    const withToken = { authorization: `Bearer ${created.body.token}` };
    assert.equal((await raw(h, 'GET', '/api/gw/up/ok', withToken)).status, 200);
    const revoke = await callApi(h.server, cookie, `/api/tokens/${created.body.id}`, { method: 'DELETE' });
    assert.equal(revoke.status, 204);
    for (const headers of [withToken, { authorization: 'Bearer bw_not-a-token' }]) {
      const refused = await raw(h, 'GET', '/api/gw/up/ok', headers);
      assert.equal(refused.status, 401);
      assert.match(JSON.parse(refused.text).error, /invalid or revoked token/);
      assert.doesNotMatch(JSON.parse(refused.text).error, /no token/);
      assert.equal(refused.headers['www-authenticate'], 'Bearer realm="breakwater", error="invalid_token"');
    }
  });

  test('a caller that hangs up mid-call closes the upstream connection', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      upstreamClosed = resolve;
    });
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    // The upstream never answers: only the caller's hang-up can end this call.
    upstream.routes.set('/base/slow', (_req, res) => {
      res.on('close', upstreamClosed);
      arrived();
    });
    const caller = httpRequest(new URL('/api/gw/up/slow', h.server.url), {
      headers: { authorization: `Bearer ${h.token}` },
    });
    caller.on('error', () => {});
    caller.end();
    await reached;
    caller.destroy();
    await closed;
  });

  test('pages and the API are served by Next on the same port', async () => {
    const health = await fetch(`${h.server.url}/api/health`);
    assert.equal(health.status, 200);
    assert.match(health.headers.get('content-type') ?? '', /application\/json/);
    const login = await fetch(`${h.server.url}/login`);
    assert.equal(login.status, 200);
    assert.match(login.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await login.text(), /<html/i);
    const unauthenticated = await fetch(`${h.server.url}/api/integrations`);
    assert.equal(unauthenticated.status, 401);
  });
});

describe('shutdown', () => {
  test('SIGTERM lets an in-flight gateway call finish, then writes its rollup before the process exits', async () => {
    const upstream = await startUpstream();
    // Rollups are flushed only at exit here: an hour between periodic flushes.
    const h = await startHarness(upstream, { BREAKWATER_FLUSH_INTERVAL_MS: '3600000' });
    const db = createDb(h.database.url);
    try {
      let release!: () => void;
      let arrived!: () => void;
      const reached = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      upstream.routes.set('/base/held', (_req, res) => {
        release = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"held":true}');
        arrived();
      });
      const inFlight = fetch(`${h.server.url}/api/gw/up/held`, { headers: { authorization: `Bearer ${h.token}` } });
      await reached;
      const exited = h.server.stop('SIGTERM');
      // Stopped accepting: a new connection is refused while the held call is still open.
      await eventually('the server to stop accepting connections', () =>
        fetch(`${h.server.url}/api/health`).then(
          () => undefined,
          () => true,
        ),
      );
      release();
      const answer = await inFlight;
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { held: true });
      assert.equal(await exited, 0);
      const rollups = await db.metricRollup.findMany({ where: { bucketSeconds: 60 } });
      assert.equal(
        rollups.reduce((sum, row) => sum + row.count, 0),
        1,
        'the held call is counted',
      );
    } finally {
      await db.$disconnect();
      await h.server.stop();
      await h.database.drop();
      await upstream.close();
    }
  });
});
