import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Db } from '@/lib/db';
import type { Role } from '@/lib/model';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { type BreakwaterServer, eventually, PASS_THROUGH_POLICY, startBreakwater } from '../support/server';
import { createMember, createToken, createWorkspace, openDb, type TestMember } from '../support/workspaces';

// Issue 17: prices and usage over HTTP, on the suite's database (BREAKWATER_TEST_PROVIDER=postgresql runs it
// on PostgreSQL). Who may read and set prices, what a bad price gets (400 naming the field, nothing saved),
// and gateway calls turning into cost that the usage API, the CSV export and /api/metrics agree on.

const ROLES: Role[] = ['viewer', 'operator', 'editor', 'admin'];
let database: TestDatabase;
let server: BreakwaterServer;
let upstream: Server;
let db: Db;
const members = {} as Record<Role, TestMember>;
let outsider: TestMember;
let gatewayToken: string;
let metricsToken: string;

async function call(member: TestMember | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (member) {
    headers.cookie = member.cookie;
    headers.origin = server.url;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : null;
  return { status: response.status, text, json, headers: response.headers };
}

const thisMonth = () => new Date().toISOString().slice(0, 7);
const price = (perCall: unknown) => ({
  effectiveFrom: `${thisMonth()}-01`,
  currency: 'usd',
  rules: { perCall, includedMonthly: 0 },
});

before(async () => {
  upstream = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  const port = await freePort();
  await new Promise<void>((resolve) => upstream.listen(port, '127.0.0.1', resolve));
  database = await createTestDatabase();
  server = await startBreakwater(database.url, { BREAKWATER_CONFIG_POLL_MS: '200' });
  db = openDb(database.url);
  for (const role of ROLES) members[role] = await createMember(db, 'default', role);
  const other = await createWorkspace(db, 'other');
  outsider = await createMember(db, other.id, 'admin');
  const created = await call(members.editor, 'POST', '/api/integrations', {
    name: 'Maps',
    slug: 'maps',
    baseUrl: `http://127.0.0.1:${port}`,
    policy: PASS_THROUGH_POLICY,
  });
  assert.equal(created.status, 201, created.text);
  gatewayToken = await createToken(db, members.admin.userId, 'default', ['gateway']);
  metricsToken = await createToken(db, members.admin.userId, 'default', ['read']);
});

after(async () => {
  await db?.$disconnect();
  await server?.stop();
  await database?.drop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('prices and usage over HTTP', () => {
  test('setting a price: an editor’s; a bad one is a 400 naming the field and saves nothing', async () => {
    assert.equal((await call(null, 'GET', '/api/integrations/maps/prices')).status, 401);
    for (const role of ['viewer', 'operator'] as const)
      assert.equal((await call(members[role], 'PUT', '/api/integrations/maps/prices', price('0.01'))).status, 403);
    assert.equal((await call(outsider, 'PUT', '/api/integrations/maps/prices', price('0.01'))).status, 404);

    const bad = await call(members.editor, 'PUT', '/api/integrations/maps/prices', price('one cent'));
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, 'rules.perCall');
    const badDay = await call(members.editor, 'PUT', '/api/integrations/maps/prices', {
      ...price('0.01'),
      effectiveFrom: '2026-13-01',
    });
    assert.equal(badDay.json.field, 'effectiveFrom');
    assert.deepEqual((await call(members.viewer, 'GET', '/api/integrations/maps/prices')).json.prices, []);

    const set = await call(members.editor, 'PUT', '/api/integrations/maps/prices', price('0.01'));
    assert.equal(set.status, 200, set.text);
    const listed = await call(members.viewer, 'GET', '/api/integrations/maps/prices');
    assert.deepEqual(
      listed.json.prices.map((p: { effectiveFrom: string; currency: string; rules: { perCall: string } }) => [
        p.effectiveFrom,
        p.currency,
        p.rules.perCall,
      ]),
      [[`${thisMonth()}-01`, 'USD', '0.01']],
    );
    assert.equal((await call(outsider, 'GET', '/api/integrations/maps/prices')).status, 404);
    const audit = await db.auditEvent.findFirst({ where: { action: 'integration.price' } });
    assert.equal(audit?.objectId, 'maps');
  });

  test('gateway calls become cost: the usage API, the CSV export and /api/metrics agree', async () => {
    const sent = await eventually('the gateway serves the token', async () => {
      const r = await fetch(`${server.url}/api/gw/maps/geocode`, {
        headers: { authorization: `Bearer ${gatewayToken}` },
      });
      await r.arrayBuffer();
      return r.status === 200 ? r : undefined;
    });
    assert.equal(sent.status, 200);
    for (let i = 0; i < 9; i++) {
      const r = await fetch(`${server.url}/api/gw/maps/geocode`, {
        headers: { authorization: `Bearer ${gatewayToken}` },
      });
      await r.arrayBuffer();
    }
    const usage = await eventually('the calls are priced', async () => {
      const answer = await call(members.viewer, 'GET', '/api/usage');
      const maps = answer.json?.integrations?.find((u: { slug: string }) => u.slug === 'maps');
      return maps?.attempts >= 10 ? maps : undefined;
    });
    assert.equal(usage.currency, 'USD');
    assert.equal(usage.costMinor, usage.attempts); // one cent each
    const caller = usage.byCaller[0];
    assert.match(caller.label, /^test gateway$/);

    const csv = await call(members.viewer, 'GET', `/api/usage/export.csv?month=${thisMonth()}`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = csv.text
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(','));
    assert.equal(
      lines.reduce((n, cells) => n + Number(cells[6]), 0),
      usage.costMinor,
      'the export adds up to the API',
    );
    assert.equal((await call(members.viewer, 'GET', '/api/usage/export.csv?month=2026-1')).status, 400);
    assert.equal((await call(null, 'GET', '/api/usage/export.csv')).status, 401);
    // Another workspace sees none of it.
    const theirs = await call(outsider, 'GET', `/api/usage/export.csv?month=${thisMonth()}`);
    assert.equal(theirs.text.trim().split('\r\n').length, 1);

    const metrics = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    const text = await metrics.text();
    const costLine = text.split('\n').find((l) => l.startsWith('breakwater_usage_cost_minor_total{'));
    assert.ok(costLine?.includes('integration="maps"') && costLine.includes('currency="USD"'), costLine);
    assert.equal(Number(costLine!.split(' ').at(-1)), usage.costMinor);
    assert.match(text, /breakwater_billable_attempts_total\{[^}]*integration="maps"[^}]*attempt_kind="first"/);
  });
});
