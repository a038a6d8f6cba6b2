import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { bumpConfigVersion, createDb, type Db } from '@/lib/db';
import { JobsHarness } from '../jobs/support';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type BreakwaterServer, callApi, eventually, signIn, startBreakwater } from '../support/server';

// Finding 2 of issue 12 on the production server (SQLite by default, PostgreSQL with
// BREAKWATER_TEST_PROVIDER=postgresql). Every listener is on 127.0.0.1 and counts its connections, so
// "refused" means nothing arrived; refused addresses outside loopback are only ever judged, never dialled.

/** A listener that counts connections and answers with `handler`. */
async function listener(handler: Parameters<typeof createServer>[1] = (_req, res) => res.end('reached')) {
  const server = createServer(handler);
  const seen = { connections: 0 };
  server.on('connection', () => {
    seen.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, seen, port: (server.address() as AddressInfo).port };
}

async function closeListener(server: Server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('a server without BREAKWATER_OUTBOUND_ALLOW', () => {
  let database: TestDatabase;
  let server: BreakwaterServer;
  let db: Db;
  let cookie: string;
  let token: string;
  let trap: Awaited<ReturnType<typeof listener>>;

  const api = (path: string, init: { method?: string; body?: unknown } = {}) => callApi(server, cookie, path, init);
  /** A gateway call to a row this test wrote directly: answered once the server's config poll has loaded it. */
  const servedGatewayCall = (slug: string) =>
    eventually(`the gateway to serve ${slug}`, async () => {
      const response = await fetch(`${server.url}/api/gw/${slug}/anything`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return response.status === 404 ? undefined : response;
    });

  before(async () => {
    trap = await listener();
    database = await createTestDatabase();
    server = await startBreakwater(database.url, { BREAKWATER_OUTBOUND_ALLOW: '' });
    db = createDb(database.url);
    cookie = await signIn(server);
    const created = await api('/api/tokens', { method: 'POST', body: { name: 'destination test' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    token = created.body.token;
  });

  after(async () => {
    await server?.stop();
    await db?.$disconnect();
    await database?.drop();
    await closeListener(trap.server);
  });

  const spellings = (port: number) => [
    `http://127.0.0.1:${port}`,
    `http://2130706433:${port}`,
    `http://0x7f000001:${port}`,
    `http://127.1:${port}`,
    `http://[::ffff:127.0.0.1]:${port}`,
    `http://[::1]:${port}`,
    `http://0.0.0.0:${port}`,
    `http://localhost:${port}`,
    'http://169.254.169.254',
    'http://[fd00:ec2::254]',
    'http://10.0.0.1',
  ];

  test('an integration whose baseUrl is a loopback, private or metadata literal is a 400 naming baseUrl', async () => {
    for (const [i, baseUrl] of spellings(trap.port).entries()) {
      const answer = await api('/api/integrations', {
        method: 'POST',
        body: { name: `Local ${i}`, slug: `local-${i}`, baseUrl },
      });
      assert.equal(answer.status, 400, `${baseUrl}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.field, 'baseUrl', baseUrl);
      assert.match(answer.body.error, /outbound policy/, baseUrl);
    }
    assert.deepEqual((await api('/api/integrations')).body.integrations, [], 'nothing was written');
  });

  test('an alert channel, a sync sink and a job completion webhook on loopback are 400s naming their field', async () => {
    const url = `http://127.0.0.1:${trap.port}/hook`;
    const channel = await api('/api/alerts/channels', {
      method: 'POST',
      body: { name: 'ops', kind: 'webhook', url, secretEnv: 'BREAKWATER_SECRET_DEST_HOOK' },
    });
    assert.equal(channel.status, 400, JSON.stringify(channel.body));
    assert.equal(channel.body.field, 'url');
    const sync = await api('/api/syncs', {
      method: 'POST',
      body: {
        slug: 'feed',
        integration: 'feed',
        path: '/events',
        intervalSeconds: 60,
        sink: 'webhook',
        sinkUrl: url,
        sinkSecretEnv: 'BREAKWATER_SECRET_DEST_HOOK',
      },
    });
    assert.equal(sync.status, 400, JSON.stringify(sync.body));
    assert.equal(sync.body.field, 'sinkUrl');
    const job = await api('/api/jobs', {
      method: 'POST',
      body: {
        integration: 'feed',
        method: 'GET',
        path: '/',
        completionWebhook: { url, secretEnv: 'BREAKWATER_SECRET_DEST_HOOK' },
      },
    });
    assert.equal(job.status, 400, JSON.stringify(job.body));
    assert.equal(job.body.field, 'completionWebhook.url');
    assert.deepEqual((await api('/api/alerts/channels')).body.channels, []);
    assert.equal(await db.job.count(), 0);
    assert.equal(await db.sync.count(), 0);
    assert.equal(trap.seen.connections, 0);
  });

  test('an integration stored before the policy, at a name resolving to loopback, is refused at call time: 403, nothing arrives', async () => {
    // As an integration saved by an earlier version would be: `localhost` is looked up when the call is made.
    await db.integration.create({
      data: {
        workspaceId: 'default',
        slug: 'legacy',
        name: 'Legacy',
        baseUrl: `http://localhost:${trap.port}`,
        policy: '{}',
      },
    });
    await bumpConfigVersion(db);
    const response = await servedGatewayCall('legacy');
    const body = await response.json();
    assert.equal(response.status, 403, JSON.stringify(body));
    assert.match(body.error, /destination refused by the outbound policy/);
    assert.equal(body.field, 'baseUrl');
    assert.equal(trap.seen.connections, 0);
  });

  test('the refusal does not tell an open port from a closed one', async () => {
    const spare = await listener();
    await closeListener(spare.server);
    const answers = [];
    for (const [slug, port] of [
      ['open-port', trap.port],
      ['closed-port', spare.port],
    ] as const) {
      await db.integration.create({
        data: { workspaceId: 'default', slug, name: slug, baseUrl: `http://127.0.0.1:${port}`, policy: '{}' },
      });
      await bumpConfigVersion(db);
      const response = await servedGatewayCall(slug);
      answers.push({ status: response.status, error: (await response.json()).error });
    }
    assert.deepEqual(answers[0], answers[1]);
    assert.equal(answers[0].status, 403);
    assert.equal(trap.seen.connections, 0);
  });
});

describe('a server allowing 127.0.0.1', () => {
  const HOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
  const h = new JobsHarness({ BREAKWATER_SECRET_DEST_HOOK: HOOK_SECRET });
  let elsewhere: Awaited<ReturnType<typeof listener>>;
  let redirector: Awaited<ReturnType<typeof listener>>;

  before(async () => {
    elsewhere = await listener();
    redirector = await listener((_req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/stolen` }).end(),
    );
    await h.start();
  });

  after(async () => {
    await h.stop();
    await closeListener(elsewhere.server);
    await closeListener(redirector.server);
  });

  test('a completion webhook answered 302 to another port is not followed', async () => {
    const created = await h.api('/api/jobs', {
      method: 'POST',
      body: {
        integration: 'demo',
        method: 'POST',
        path: '/redirected-hook',
        body: { amount: 1 },
        completionWebhook: {
          url: `http://127.0.0.1:${redirector.port}/hook`,
          secretEnv: 'BREAKWATER_SECRET_DEST_HOOK',
        },
      },
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const job = await eventually('the job to record its completion webhook', async () => {
      const { body } = await h.api(`/api/jobs/${created.body.id}`);
      return body.completionWebhook?.status ? body : undefined;
    });
    assert.equal(job.completionWebhook.status, 'answered 302');
    assert.ok(redirector.seen.connections > 0, 'the receiver was called');
    assert.equal(elsewhere.seen.connections, 0, 'the redirect target saw nothing');
  });

  test("Breakwater's own port is refused even though 127.0.0.1 is allowed; a PATCH to a literal keeps the old URL", async () => {
    const self = await h.api('/api/integrations', {
      method: 'POST',
      body: { name: 'Self', slug: 'self', baseUrl: h.server.url },
    });
    assert.equal(self.status, 400, JSON.stringify(self.body));
    assert.equal(self.body.field, 'baseUrl');
    assert.match(self.body.error, /Breakwater's own port/);
    const before = (await h.api('/api/integrations/demo')).body.integration.baseUrl;
    const patched = await h.api('/api/integrations/demo', {
      method: 'PATCH',
      body: { baseUrl: 'http://169.254.169.254/latest' },
    });
    assert.equal(patched.status, 400, JSON.stringify(patched.body));
    assert.equal(patched.body.field, 'baseUrl');
    assert.equal((await h.api('/api/integrations/demo')).body.integration.baseUrl, before);
  });
});
