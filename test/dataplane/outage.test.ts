import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bumpConfigVersion, createDb, type Db } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type BreakwaterServer,
  callApi,
  eventually,
  PASS_THROUGH_POLICY,
  signIn,
  startBreakwater,
} from '../support/server';

// Breakwater on PostgreSQL (always: PostgreSQL runs in CI) through a TCP proxy this test controls, so the
// database can "go down" for Breakwater alone: the server itself keeps running for the other tests.
const OUTAGE_MS = 25_000;
const CALLS_PER_SECOND = 20;

/** A TCP proxy in front of PostgreSQL: down destroys every open connection and refuses new ones. */
class DatabaseProxy {
  private readonly server = createTcpServer((socket) => this.accept(socket));
  private readonly sockets = new Set<Socket>();
  private isDown = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private accept(client: Socket): void {
    if (this.isDown) {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    this.track(client);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  down(): void {
    this.isDown = true;
    for (const socket of this.sockets) socket.destroy();
  }

  up(): void {
    this.isDown = false;
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A healthy upstream on 127.0.0.1 that names itself in every answer. */
async function startUpstream(name: string): Promise<{ url: string; server: Server }> {
  const server = createHttpServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ upstream: name }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

/** The value of one sample in Prometheus text (NaN when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : Number.NaN;
}

const DROPPED_ROLLUP_CALLS = 'breakwater_telemetry_dropped_total{kind="rollup_calls"}';

function metricsText(): Promise<string> {
  return eventually('the metrics to answer', async () => {
    const response = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
    return response.ok ? response.text() : undefined;
  });
}

let database: TestDatabase;
let proxy: DatabaseProxy;
let server: BreakwaterServer;
let primary: { url: string; server: Server };
let secondary: { url: string; server: Server };
let cookie: string;
let token: string;
let revokedToken: string;
/** a client of this test's own, straight to PostgreSQL: another instance, as far as Breakwater knows */
let otherInstance: Db;

function gateway(path: string, bearer: string): Promise<Response> {
  return fetch(`${server.url}/api/gw/${path}`, {
    headers: { authorization: `Bearer ${bearer}` },
    signal: AbortSignal.timeout(60_000),
  });
}

async function createIntegration(slug: string, baseUrl: string): Promise<void> {
  const created = await callApi(server, cookie, '/api/integrations', {
    method: 'POST',
    body: { name: slug, slug, baseUrl, authScheme: 'none', policy: PASS_THROUGH_POLICY },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
}

async function createToken(name: string): Promise<{ id: string; token: string }> {
  const created = await callApi(server, cookie, '/api/tokens', { method: 'POST', body: { name } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

before(async () => {
  database = await createTestDatabase('postgresql');
  const target = new URL(database.url);
  proxy = await new DatabaseProxy(target.hostname, Number(target.port || 5432)).start();
  const throughProxy = new URL(database.url);
  throughProxy.hostname = '127.0.0.1';
  throughProxy.port = String(proxy.port);
  primary = await startUpstream('primary');
  secondary = await startUpstream('secondary');
  // Every background loop runs several times during the outage: each must log and carry on.
  server = await startBreakwater(throughProxy.toString(), {
    BREAKWATER_ALERT_EVAL_INTERVAL_MS: '1000',
    BREAKWATER_RETENTION_INTERVAL_MS: '1000',
    BREAKWATER_WEBHOOK_CATCHUP_MS: '1000',
    BREAKWATER_QUEUE_SAMPLE_MS: '1000',
  });
  otherInstance = createDb(database.url);
  cookie = await signIn(server);
  await createIntegration('steady', primary.url);
  token = (await createToken('good')).token;
  const revoked = await createToken('revoked');
  revokedToken = revoked.token;
  assert.equal((await gateway('steady/ping', revokedToken)).status, 200);
  assert.equal((await callApi(server, cookie, `/api/tokens/${revoked.id}`, { method: 'DELETE' })).status, 204);
});

after(async () => {
  await server?.stop();
  await otherInstance?.$disconnect();
  await proxy?.close();
  primary?.server.close();
  secondary?.server.close();
  await database?.drop();
});

describe('the data plane reads its configuration from memory', () => {
  test('a change made through the API is served by the same process at once', async () => {
    // Revoked just before: refused on the very next call.
    assert.equal((await gateway('steady/ping', revokedToken)).status, 401);
    await createIntegration('fresh', secondary.url);
    const fresh = await gateway('fresh/ping', token);
    assert.equal(fresh.status, 200);
    assert.deepEqual(await fresh.json(), { upstream: 'secondary' });
    const created = await createToken('new');
    assert.equal((await gateway('fresh/ping', created.token)).status, 200);
    const patched = await callApi(server, cookie, '/api/integrations/fresh', {
      method: 'PATCH',
      body: { baseUrl: primary.url },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(await (await gateway('fresh/ping', token)).json(), { upstream: 'primary' });
    assert.equal((await callApi(server, cookie, '/api/integrations/fresh', { method: 'DELETE' })).status, 204);
    assert.equal((await gateway('fresh/ping', token)).status, 404);
  });

  test('a change written by another instance is served after its version bump', async () => {
    await createIntegration('elsewhere', primary.url);
    await otherInstance.integration.update({
      where: { workspaceId_slug: { workspaceId: 'default', slug: 'elsewhere' } },
      data: { baseUrl: secondary.url },
    });
    await bumpConfigVersion(otherInstance);
    await eventually('the other instance change to be served', async () => {
      const body = await (await gateway('elsewhere/ping', token)).json();
      return body.upstream === 'secondary' ? true : undefined;
    });
    const own = await otherInstance.apiToken.findFirstOrThrow({ where: { name: 'good' } });
    await otherInstance.apiToken.update({ where: { id: own.id }, data: { revokedAt: new Date() } });
    await bumpConfigVersion(otherInstance);
    await eventually('the token revoked elsewhere to be refused', async () =>
      (await gateway('elsewhere/ping', token)).status === 401 ? true : undefined,
    );
    await otherInstance.apiToken.update({ where: { id: own.id }, data: { revokedAt: null } });
    await bumpConfigVersion(otherInstance);
    await eventually('the token restored elsewhere to be accepted', async () =>
      (await gateway('elsewhere/ping', token)).status === 200 ? true : undefined,
    );
  });
});

describe('a database outage', () => {
  test('calls go on from memory, a revoked token stays refused, and every call is counted afterwards', async () => {
    await createIntegration('outage', primary.url);
    const integration = await otherInstance.integration.findUniqueOrThrow({
      where: { workspaceId_slug: { workspaceId: 'default', slug: 'outage' } },
    });
    const answers: Promise<{ token: 'good' | 'revoked'; status: number; body: string }>[] = [];
    const send = (which: 'good' | 'revoked') =>
      answers.push(
        gateway('outage/item', which === 'good' ? token : revokedToken).then(async (response) => ({
          token: which,
          status: response.status,
          body: await response.text(),
        })),
      );

    const droppedBefore = sample(await metricsText(), DROPPED_ROLLUP_CALLS);
    proxy.down();
    const end = Date.now() + OUTAGE_MS;
    let tick = 0;
    while (Date.now() < end) {
      send(tick % CALLS_PER_SECOND === 0 ? 'revoked' : 'good');
      tick++;
      await sleep(1000 / CALLS_PER_SECOND);
    }
    const settled = await Promise.all(answers);
    proxy.up();

    const good = settled.filter((a) => a.token === 'good');
    const revoked = settled.filter((a) => a.token === 'revoked');
    assert.ok(good.length > 0 && revoked.length > 0);
    for (const answer of good) assert.deepEqual([answer.status, answer.body], [200, '{"upstream":"primary"}']);
    for (const answer of revoked) assert.equal(answer.status, 401);

    const health = await eventually('the server to answer again', async () => {
      const response = await fetch(`${server.url}/api/health`).catch(() => undefined);
      return response?.ok ? response : undefined;
    });
    assert.equal(health.status, 200);
    await eventually(`the rollups to count all ${good.length} calls`, async () => {
      const stored = await otherInstance.metricRollup.aggregate({
        where: { integrationId: integration.id, bucketSeconds: 60 },
        _sum: { count: true },
      });
      return stored._sum.count === good.length ? true : undefined;
    });
    const metrics = await metricsText();
    assert.ok(sample(metrics, 'breakwater_config_refresh_failures_total') > 0);
    assert.ok(sample(metrics, 'breakwater_config_age_seconds') >= 0);
    // (the calls of the integration deleted by an earlier test were dropped when it went, before the outage)
    assert.equal(sample(metrics, DROPPED_ROLLUP_CALLS), droppedBefore);

    const output = server.output();
    assert.doesNotMatch(output, /unhandledRejection|Unhandled Rejection|uncaughtException/i);
    const warnings = output.split('\n').filter((line) => line.includes('data-plane configuration refresh failed'));
    assert.equal(warnings.length, 1, 'one warning per outage, not one per poll');
    assert.match(output, /data-plane configuration refreshed again/);
  });
});
