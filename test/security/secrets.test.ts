import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { bumpConfigVersion, createDb, type Db } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type ApiAnswer,
  type BreakwaterServer,
  eventually,
  PASS_THROUGH_POLICY,
  signIn,
  startBreakwater,
} from '../support/server';

// Finding 1 of issue 12: a name used as a secret must be one the operator exposed, a pinned secret goes
// to its origins only, and an inbound source's verification secret never signs or authenticates anything
// outbound. Two listeners on 127.0.0.1 stand for the allowed upstream and for the attacker's host.

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

class Listener {
  readonly seen: Seen[] = [];
  readonly server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      this.seen.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const PAY_KEY = `sk_pay_${randomBytes(8).toString('hex')}`;
const FREE_KEY = `sk_free_${randomBytes(8).toString('hex')}`;
const LISTED_KEY = `sk_listed_${randomBytes(8).toString('hex')}`;
const INBOUND_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const AWS_VALUE = `aws_${randomBytes(8).toString('hex')}`;
const NOT_EXPOSED =
  /must be an exposed secret: a variable named BREAKWATER_SECRET_\* or listed in BREAKWATER_SECRET_NAMES/;

let database: TestDatabase;
let server: BreakwaterServer;
let db: Db;
let cookie: string;
let token: string;
const upstream = new Listener();
const attacker = new Listener();

async function api(
  path: string,
  init: { method?: string; body?: unknown; auth?: 'cookie' | 'token' } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if ((init.auth ?? 'token') === 'token') headers.authorization = `Bearer ${token}`;
  else Object.assign(headers, { cookie, origin: server.url });
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function gateway(slug: string, path = '/ping') {
  return api(`/api/gw/${slug}${path}`);
}

/** Every object a secret's name can be saved on, counted, so a refused request is seen to write nothing. */
async function counts() {
  const [integrations, sources, channels, syncs, jobs] = await Promise.all([
    db.integration.count(),
    db.webhookSource.count(),
    db.alertChannel.count(),
    db.sync.count(),
    db.job.count(),
  ]);
  return { integrations, sources, channels, syncs, jobs };
}

/**
 * A row as a database from before this change may hold it: written directly, never validated. The version
 * bump is what any writer does; the gateway serves the row once its poll has seen it.
 */
async function storedIntegration(slug: string, baseUrl: string, secretEnv: string) {
  await db.integration.create({
    data: {
      workspaceId: 'default',
      slug,
      name: slug,
      baseUrl,
      authScheme: 'bearer',
      secretEnv,
      policy: JSON.stringify(PASS_THROUGH_POLICY),
    },
  });
  await bumpConfigVersion(db);
  await eventually(`the gateway to serve ${slug}`, async () =>
    (await gateway(slug)).status === 404 ? undefined : true,
  );
}

const integrationBody = (slug: string, baseUrl: string, secretEnv: string) => ({
  name: slug,
  slug,
  baseUrl,
  authScheme: 'bearer',
  secretEnv,
  policy: PASS_THROUGH_POLICY,
});
const channelBody = (name: string, url: string, secretEnv: string) => ({ name, kind: 'webhook', url, secretEnv });
const syncBody = (slug: string, sinkUrl: string, sinkSecretEnv: string) => ({
  slug,
  integration: 'app',
  path: '/feed',
  sink: 'webhook',
  sinkUrl,
  sinkSecretEnv,
  enabled: false,
});
const jobBody = (url: string, secretEnv: string) => ({
  integration: 'app',
  method: 'POST',
  path: '/work',
  completionWebhook: { url, secretEnv },
});
const sourceBody = (slug: string, secretEnv: string, previousSecretEnv?: string) => ({
  name: slug,
  slug,
  integration: 'app',
  scheme: 'standard',
  secretEnv,
  ...(previousSecretEnv && { previousSecretEnv }),
});

before(async () => {
  database = await createTestDatabase();
  await upstream.start();
  await attacker.start();
  server = await startBreakwater(database.url, {
    BREAKWATER_SECRET_PAY_KEY: PAY_KEY,
    BREAKWATER_SECRET_FREE_KEY: FREE_KEY,
    BREAKWATER_SECRET_INBOUND: INBOUND_SECRET,
    LISTED_LEGACY_KEY: LISTED_KEY,
    BREAKWATER_SECRET_NAMES: 'LISTED_LEGACY_KEY',
    BREAKWATER_SECRET_PINS: `BREAKWATER_SECRET_PAY_KEY=${upstream.url}/any/path`,
    AWS_SECRET_ACCESS_KEY: AWS_VALUE,
    BREAKWATER_OUTBOUND_ALLOW: '127.0.0.1',
    BREAKWATER_JOB_POLL_MS: '50',
  });
  db = createDb(database.url);
  cookie = await signIn(server);
  const created = await api('/api/tokens', { method: 'POST', body: { name: 'secrets test' }, auth: 'cookie' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  token = created.body.token;
  const app = await api('/api/integrations', {
    method: 'POST',
    body: { ...integrationBody('app', upstream.url, 'BREAKWATER_SECRET_FREE_KEY') },
  });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const source = await api('/api/webhook-sources', {
    method: 'POST',
    body: sourceBody('inbound', 'BREAKWATER_SECRET_INBOUND'),
  });
  assert.equal(source.status, 201, JSON.stringify(source.body));
});

after(async () => {
  await db?.$disconnect();
  await server?.stop();
  await upstream.close();
  await attacker.close();
  await database?.drop();
});

describe('only exposed secret names', () => {
  test("finding 1's attack: a token naming DATABASE_URL with the attacker's base URL is refused, nothing saved or sent", async () => {
    const before = await counts();
    for (const name of [
      'DATABASE_URL',
      'BREAKWATER_ADMIN_PASSWORD',
      'HOME',
      'BREAKWATER_SECRET_NAMES',
      'BREAKWATER_SECRET_PINS',
    ]) {
      const answer = await api('/api/integrations', {
        method: 'POST',
        body: integrationBody('stolen', `${attacker.url}/`, name),
      });
      assert.equal(answer.status, 400, name);
      assert.equal(answer.body.field, 'secretEnv', name);
      assert.match(answer.body.error, NOT_EXPOSED, name);
    }
    assert.deepEqual(await counts(), before);
    assert.equal((await gateway('stolen')).status, 404);
    assert.deepEqual(attacker.seen, []);
  });

  test('every field that names a secret refuses a variable the operator did not expose (400 naming the field)', async () => {
    const before = await counts();
    const cases: [string, unknown, string][] = [
      ['/api/webhook-sources', sourceBody('s1', 'DATABASE_URL'), 'secretEnv'],
      ['/api/webhook-sources', sourceBody('s2', 'BREAKWATER_SECRET_INBOUND_NEXT', 'HOME'), 'previousSecretEnv'],
      ['/api/alerts/channels', channelBody('c1', `${attacker.url}/hook`, 'DATABASE_URL'), 'secretEnv'],
      ['/api/alerts/channels', { name: 'c2', kind: 'slack', secretEnv: 'AWS_SECRET_ACCESS_KEY' }, 'secretEnv'],
      ['/api/syncs', syncBody('y1', `${attacker.url}/sink`, 'DATABASE_URL'), 'sinkSecretEnv'],
      ['/api/jobs', jobBody(`${attacker.url}/done`, 'DATABASE_URL'), 'completionWebhook.secretEnv'],
    ];
    for (const [path, body, field] of cases) {
      const answer = await api(path, { method: 'POST', body });
      assert.equal(answer.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(answer.body.field, field, path);
      assert.match(answer.body.error, NOT_EXPOSED, path);
    }
    const patched = await api('/api/integrations/app', { method: 'PATCH', body: { secretEnv: 'DATABASE_URL' } });
    assert.equal(patched.status, 400);
    assert.equal(patched.body.field, 'secretEnv');
    assert.equal((await api('/api/integrations/app')).body.integration.secretEnv, 'BREAKWATER_SECRET_FREE_KEY');
    assert.deepEqual(await counts(), before);
    assert.deepEqual(attacker.seen, []);
  });

  test('a name listed in BREAKWATER_SECRET_NAMES is exposed and sent', async () => {
    const created = await api('/api/integrations', {
      method: 'POST',
      body: integrationBody('listed', upstream.url, 'LISTED_LEGACY_KEY'),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.integration.secretConfigured, true);
    assert.equal((await gateway('listed', '/listed')).status, 200);
    assert.equal(upstream.seen.find((s) => s.path === '/listed')?.headers.authorization, `Bearer ${LISTED_KEY}`);
  });

  test('a stored integration naming a variable that is not exposed stops working: 503 naming the variable, logged, nothing sent', async () => {
    await storedIntegration('legacy', attacker.url, 'DATABASE_URL');
    const answer = await gateway('legacy');
    assert.equal(answer.status, 503);
    assert.equal(answer.body.field, 'secretEnv');
    assert.match(answer.body.error, /DATABASE_URL is not an exposed secret/);
    assert.ok(!JSON.stringify(answer.body).includes(database.url), 'the value never appears');
    assert.deepEqual(attacker.seen, []);
    await eventually('the refusal to be logged by name', () =>
      /"variable":"DATABASE_URL"/.test(server.output()) ? true : undefined,
    );
    const resaved = await api('/api/integrations/legacy', { method: 'PATCH', body: { name: 'Legacy' } });
    assert.equal(resaved.status, 400, 'saving it again needs an exposed name');
    assert.equal(resaved.body.field, 'secretEnv');
  });

  test('secretConfigured is never reported for a variable that is not exposed (HOME, AWS_SECRET_ACCESS_KEY exist)', async () => {
    await storedIntegration('probe-home', upstream.url, 'HOME');
    await storedIntegration('probe-aws', upstream.url, 'AWS_SECRET_ACCESS_KEY');
    await storedIntegration('probe-none', upstream.url, 'NOT_SET_ANYWHERE_42');
    await db.alertChannel.create({
      data: { workspaceId: 'default', name: 'probe', kind: 'webhook', url: `${attacker.url}/h`, secretEnv: 'HOME' },
    });
    await db.webhookSource.create({
      data: {
        workspaceId: 'default',
        id: randomUUID(),
        slug: 'probe',
        name: 'probe',
        integrationId: (
          await db.integration.findUniqueOrThrow({
            where: { workspaceId_slug: { workspaceId: 'default', slug: 'app' } },
          })
        ).id,
        integrationSlug: 'app',
        scheme: 'standard',
        secretEnv: 'HOME',
        previousSecretEnv: 'AWS_SECRET_ACCESS_KEY',
      },
    });
    const { body } = await api('/api/integrations');
    const configured = Object.fromEntries(
      body.integrations.map((i: { slug: string; secretConfigured: boolean }) => [i.slug, i.secretConfigured]),
    );
    assert.equal(configured['probe-home'], false);
    assert.equal(configured['probe-aws'], configured['probe-none'], 'an existing and a missing variable look alike');
    assert.equal(configured['probe-aws'], false);
    assert.equal(configured.app, true, 'an exposed variable that is set is reported');
    const channels = (await api('/api/alerts/channels')).body.channels;
    assert.equal(channels.find((c: { name: string }) => c.name === 'probe').secretConfigured, false);
    const source = (await api('/api/webhook-sources/probe')).body.source;
    assert.equal(source.secretConfigured, false);
    assert.equal(source.previousSecretConfigured, false);
    await bumpConfigVersion(db);
    const delivery = await eventually('the stored source to be served', async () => {
      const response = await fetch(`${server.url}/api/webhooks/probe`, { method: 'POST', body: '{}' });
      return response.status === 404 ? undefined : response;
    });
    assert.equal(delivery.status, 503, 'a source naming a variable that is not exposed verifies nothing');
    assert.match((await delivery.json()).error, /HOME is not an exposed secret/);
    const everything = JSON.stringify([body, channels, source]);
    assert.ok(!everything.includes(AWS_VALUE) && !everything.includes(process.env.HOME ?? '\u0000'));
  });
});

describe('pinned secrets', () => {
  test('a pinned secret is refused at save time for another origin, naming the URL field', async () => {
    const before = await counts();
    const cases: [string, string, unknown, string][] = [
      [
        'POST',
        '/api/integrations',
        integrationBody('pay-elsewhere', attacker.url, 'BREAKWATER_SECRET_PAY_KEY'),
        'baseUrl',
      ],
      [
        'POST',
        '/api/alerts/channels',
        channelBody('pay-hook', `${attacker.url}/hook`, 'BREAKWATER_SECRET_PAY_KEY'),
        'url',
      ],
      ['POST', '/api/syncs', syncBody('pay-sink', `${attacker.url}/sink`, 'BREAKWATER_SECRET_PAY_KEY'), 'sinkUrl'],
      ['POST', '/api/jobs', jobBody(`${attacker.url}/done`, 'BREAKWATER_SECRET_PAY_KEY'), 'completionWebhook.url'],
    ];
    for (const [method, path, body, field] of cases) {
      const answer = await api(path, { method, body });
      assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.field, field, path);
      assert.match(answer.body.error, /pinned/);
    }
    assert.deepEqual(await counts(), before);

    const pay = await api('/api/integrations', {
      method: 'POST',
      body: integrationBody('pay', `${upstream.url}/v1`, 'BREAKWATER_SECRET_PAY_KEY'),
    });
    assert.equal(pay.status, 201, JSON.stringify(pay.body));
    const moved = await api('/api/integrations/pay', { method: 'PATCH', body: { baseUrl: `${attacker.url}/v1` } });
    assert.equal(moved.status, 400);
    assert.equal(moved.body.field, 'baseUrl');
    assert.equal((await api('/api/integrations/pay')).body.integration.baseUrl, `${upstream.url}/v1`);
    assert.equal((await gateway('pay', '/charges')).status, 200);
    assert.equal(upstream.seen.find((s) => s.path === '/v1/charges')?.headers.authorization, `Bearer ${PAY_KEY}`);
    assert.deepEqual(attacker.seen, []);
  });

  test('a stored integration sending a pinned secret to another origin is refused at call time; that origin receives nothing', async () => {
    await storedIntegration('pay-legacy', attacker.url, 'BREAKWATER_SECRET_PAY_KEY');
    const answer = await gateway('pay-legacy');
    assert.equal(answer.status, 503);
    assert.equal(answer.body.field, 'secretEnv');
    assert.match(answer.body.error, /BREAKWATER_SECRET_PAY_KEY is pinned/);
    assert.ok(!JSON.stringify(answer.body).includes(PAY_KEY));
    assert.deepEqual(attacker.seen, []);
  });
});

describe('verification secrets never sign or authenticate outbound', () => {
  test("an inbound source's verification secret is refused as an integration, channel, sync sink or completion webhook secret", async () => {
    const before = await counts();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/integrations', integrationBody('oracle', attacker.url, 'BREAKWATER_SECRET_INBOUND'), 'secretEnv'],
      ['PATCH', '/api/integrations/app', { secretEnv: 'BREAKWATER_SECRET_INBOUND' }, 'secretEnv'],
      [
        'POST',
        '/api/alerts/channels',
        channelBody('oracle', `${attacker.url}/hook`, 'BREAKWATER_SECRET_INBOUND'),
        'secretEnv',
      ],
      ['POST', '/api/syncs', syncBody('oracle', `${attacker.url}/sink`, 'BREAKWATER_SECRET_INBOUND'), 'sinkSecretEnv'],
      [
        'POST',
        '/api/jobs',
        jobBody(`${attacker.url}/done`, 'BREAKWATER_SECRET_INBOUND'),
        'completionWebhook.secretEnv',
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const answer = await api(path, { method, body });
      assert.equal(answer.status, 400, `${method} ${path}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.field, field, path);
      assert.match(answer.body.error, /verification secret of webhook source "inbound"/);
    }
    assert.deepEqual(await counts(), before);
    assert.deepEqual(attacker.seen, []);
  });

  test('a secret used outbound is refused as a source verification secret, current or previous', async () => {
    const before = await counts();
    for (const [body, field] of [
      [sourceBody('reverse', 'BREAKWATER_SECRET_FREE_KEY'), 'secretEnv'],
      [sourceBody('reverse', 'BREAKWATER_SECRET_INBOUND_NEXT', 'BREAKWATER_SECRET_FREE_KEY'), 'previousSecretEnv'],
    ] as const) {
      const answer = await api('/api/webhook-sources', { method: 'POST', body });
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.field, field);
      assert.match(answer.body.error, /credential of integration "app"/);
    }
    const patched = await api('/api/webhook-sources/inbound', {
      method: 'PATCH',
      body: { previousSecretEnv: 'BREAKWATER_SECRET_FREE_KEY' },
    });
    assert.equal(patched.status, 400);
    assert.equal(patched.body.field, 'previousSecretEnv');
    assert.equal((await api('/api/webhook-sources/inbound')).body.source.previousSecretEnv, null);
    assert.deepEqual(await counts(), before);
  });

  test('stored objects that would sign with a verification secret are refused when used; the receiver gets nothing', async () => {
    await storedIntegration('oracle-legacy', attacker.url, 'BREAKWATER_SECRET_INBOUND');
    const answer = await gateway('oracle-legacy');
    assert.equal(answer.status, 503);
    assert.match(answer.body.error, /BREAKWATER_SECRET_INBOUND verifies an inbound webhook source/);

    const app = await db.integration.findUniqueOrThrow({
      where: { workspaceId_slug: { workspaceId: 'default', slug: 'app' } },
    });
    const jobId = randomUUID();
    await db.job.create({
      data: {
        workspaceId: 'default',
        id: jobId,
        integrationId: app.id,
        integrationSlug: 'app',
        method: 'POST',
        path: '/oracle-job',
        idempotencyKey: randomUUID(),
        maxAttempts: 1,
        runAt: new Date(),
        completionUrl: `${attacker.url}/done`,
        completionSecretEnv: 'BREAKWATER_SECRET_INBOUND',
      },
    });
    const job = await eventually('the job to record why its webhook was not sent', async () => {
      const { body } = await api(`/api/jobs/${jobId}`);
      return body?.completionWebhook?.status ? body : undefined;
    });
    assert.equal(job.state, 'done');
    assert.match(job.completionWebhook.status, /^not sent: the secret BREAKWATER_SECRET_INBOUND verifies an inbound/);
    assert.ok(
      upstream.seen.some((s) => s.path === '/oracle-job'),
      'the job itself ran',
    );
    assert.deepEqual(attacker.seen, []);
  });
});
