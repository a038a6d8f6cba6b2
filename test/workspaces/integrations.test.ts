import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Db } from '@/lib/db';
import type { Role } from '@/lib/model';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { type BreakwaterServer, eventually, PASS_THROUGH_POLICY, startBreakwater } from '../support/server';
import { createMember, createToken, createWorkspace, openDb, type TestMember } from '../support/workspaces';

// Issue 16, part A: integrations, calls, overview, metrics and their pages, in two workspaces. The
// server runs on its own database (SQLite, or PostgreSQL with BREAKWATER_TEST_PROVIDER=postgresql) in
// front of one upstream that answers with the path it was asked for, so each call shows where it went.

const ROLES: Role[] = ['viewer', 'operator', 'editor', 'admin'];

let database: TestDatabase;
let server: BreakwaterServer;
let upstream: Server;
let upstreamUrl: string;
let db: Db;
/** workspace A is `default`; B is a second one */
const A = { id: 'default', slug: 'default' };
let B: { id: string; slug: string };
const membersA = {} as Record<Role, TestMember>;
let adminB: TestMember;
let gatewayA: string;
let gatewayB: string;
let readA: string;
let readB: string;
/** a call recorded in each workspace (through its own "crm") */
let callA: string;
let callB: string;
let crmA: string;
let crmB: string;

type Auth = { cookie: string } | { token: string };

const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

/**
 * A page answered with the not-found page (notFound()). Under app/(app)'s loading boundary the page streams,
 * so once the shell is out Next sends the not-found page with status 200 and marks it (the 404 digest and a
 * noindex robots tag): what the user sees, and what must hold, is that page and none of the object's data.
 */
function isNotFoundPage(answer: { status: number; text: string }, ...secrets: string[]): boolean {
  return (
    (answer.status === 404 || answer.text.includes('NEXT_HTTP_ERROR_FALLBACK;404')) &&
    secrets.every((secret) => !answer.text.includes(secret))
  );
}

async function call(auth: Auth, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if ('cookie' in auth) {
    headers.cookie = auth.cookie;
    headers.origin = server.url;
  } else headers.authorization = `Bearer ${auth.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : null;
  return { status: response.status, text, json };
}

async function gateway(token: string, path: string) {
  const response = await fetch(`${server.url}/api/gw/${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, body: await response.text(), requestId: response.headers.get('x-request-id') };
}

const integration = (slug: string, path: string) => ({
  name: `CRM ${slug} ${path}`,
  slug,
  baseUrl: `${upstreamUrl}/${path}`,
  policy: PASS_THROUGH_POLICY,
});

before(async () => {
  upstream = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => upstream.listen(port, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${port}`;
  database = await createTestDatabase();
  server = await startBreakwater(database.url, { BREAKWATER_CONFIG_POLL_MS: '200' });
  db = openDb(database.url);
  B = await createWorkspace(db, 'team-b', 'Team B');
  for (const role of ROLES) membersA[role] = await createMember(db, A.id, role);
  adminB = await createMember(db, B.id, 'admin');
  gatewayA = await createToken(db, membersA.admin.userId, A.id, ['gateway']);
  gatewayB = await createToken(db, adminB.userId, B.id, ['gateway']);
  readA = await createToken(db, membersA.admin.userId, A.id, ['read']);
  readB = await createToken(db, adminB.userId, B.id, ['read']);

  // The same slug in both workspaces, each pointing at its own path; and one slug only B has.
  const a = await call(membersA.editor, 'POST', '/api/integrations', integration('crm', 'a'));
  assert.equal(a.status, 201, a.text);
  const b = await call(adminB, 'POST', '/api/integrations', integration('crm', 'b'));
  assert.equal(b.status, 201, b.text);
  const billing = await call(adminB, 'POST', '/api/integrations', integration('billing', 'billing'));
  assert.equal(billing.status, 201, billing.text);
  crmA = a.json.integration.id;
  crmB = b.json.integration.id;

  // A gateway token reaches its own workspace's "crm" (within one config poll of the token's creation).
  const sentA = await eventually('the gateway serves A’s token', async () => {
    const answer = await gateway(gatewayA, 'crm/hello');
    return answer.status === 200 ? answer : undefined;
  });
  assert.equal(JSON.parse(sentA.body).path, '/a/hello');
  const sentB = await eventually('the gateway serves B’s token', async () => {
    const answer = await gateway(gatewayB, 'crm/hello');
    return answer.status === 200 ? answer : undefined;
  });
  assert.equal(JSON.parse(sentB.body).path, '/b/hello');
  // B's token cannot reach an integration only A has, nor A's token B's.
  assert.equal((await gateway(gatewayA, 'billing/x')).status, 404);
  callA = await eventually('A’s call is recorded', async () => {
    const list = await call(membersA.admin, 'GET', '/api/calls?integration=crm');
    return list.json?.calls?.[0]?.id as string | undefined;
  });
  callB = await eventually('B’s call is recorded', async () => {
    const list = await call(adminB, 'GET', '/api/calls?integration=crm');
    return list.json?.calls?.[0]?.id as string | undefined;
  });
});

after(async () => {
  await db?.$disconnect();
  await server?.stop();
  await database?.drop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('workspaces: integrations, calls, overview, metrics', () => {
  test('the same slug in two workspaces: each sees its own, and calls went to its own upstream', async () => {
    assert.notEqual(callA, callB);
    const a = await call(membersA.viewer, 'GET', '/api/integrations/crm');
    const b = await call(adminB, 'GET', '/api/integrations/crm');
    assert.equal(a.json.integration.id, crmA);
    assert.equal(b.json.integration.id, crmB);
    const detailA = await call(membersA.viewer, 'GET', `/api/calls/${callA}`);
    assert.equal(detailA.status, 200);
    assert.match(detailA.json.call.path, /\/a\/hello/);
    const detailB = await call(adminB, 'GET', `/api/calls/${callB}`);
    assert.match(detailB.json.call.path, /\/b\/hello/);
  });

  test('role x route: every route answers what the role may do', async () => {
    type Row = { method: string; path: string; body?: unknown; expect: Record<Role, number> };
    const all = (status: number) => ({ viewer: status, operator: status, editor: status, admin: status });
    const from = (role: Role, allowed: number, refused = 403): Record<Role, number> =>
      Object.fromEntries(ROLES.map((r) => [r, ROLES.indexOf(r) >= ROLES.indexOf(role) ? allowed : refused])) as Record<
        Role,
        number
      >;
    const table: Row[] = [
      { method: 'GET', path: '/api/integrations', expect: all(200) },
      { method: 'GET', path: '/api/integrations/crm', expect: all(200) },
      { method: 'GET', path: `/api/integrations/crm/timeseries?from=${hourAgo()}`, expect: all(200) },
      { method: 'GET', path: '/api/integrations/crm/breaker', expect: all(200) },
      {
        method: 'POST',
        path: '/api/integrations/crm/breaker',
        body: { action: 'reset' },
        expect: from('operator', 200),
      },
      { method: 'PATCH', path: '/api/integrations/crm', body: { name: 'CRM A' }, expect: from('editor', 200) },
      { method: 'DELETE', path: '/api/integrations/nothing-here', expect: from('editor', 404) },
      { method: 'GET', path: '/api/calls', expect: all(200) },
      { method: 'GET', path: `/api/calls/${callA}`, expect: all(200) },
      { method: 'POST', path: `/api/calls/${callA}/replay`, body: { dryRun: true }, expect: from('operator', 200) },
      { method: 'GET', path: '/api/overview', expect: all(200) },
      { method: 'GET', path: '/api/metrics', expect: all(200) },
      { method: 'GET', path: '/api/me', expect: all(200) },
    ];
    const failures: string[] = [];
    for (const row of table)
      for (const role of ROLES) {
        const answer = await call(membersA[role], row.method, row.path, row.body);
        if (answer.status !== row.expect[role])
          failures.push(`${role} ${row.method} ${row.path}: ${answer.status} (expected ${row.expect[role]})`);
      }
    // Creating and deleting: editors and admins each create one and delete it; less is refused.
    for (const role of ROLES) {
      const slug = `made-by-${role}`;
      const created = await call(membersA[role], 'POST', '/api/integrations', integration(slug, slug));
      const mayEdit = role === 'editor' || role === 'admin';
      if (created.status !== (mayEdit ? 201 : 403)) failures.push(`${role} POST /api/integrations: ${created.status}`);
      const deleted = await call(membersA[role], 'DELETE', `/api/integrations/${mayEdit ? slug : 'crm'}`);
      if (deleted.status !== (mayEdit ? 204 : 403)) failures.push(`${role} DELETE: ${deleted.status}`);
    }
    assert.deepEqual(failures, []);
    const me = await call(membersA.operator, 'GET', '/api/me');
    assert.deepEqual([me.json.workspace.slug, me.json.role], ['default', 'operator']);
    // The refused writes changed nothing: crm is still there, under the editor's name.
    const crm = await call(membersA.viewer, 'GET', '/api/integrations/crm');
    assert.equal(crm.json.integration.name, 'CRM A');
  });

  test('tokens by scope: read reads but cannot write; gateway-only cannot use the management API', async () => {
    assert.equal((await call({ token: readA }, 'GET', '/api/integrations')).status, 200);
    assert.equal((await call({ token: readA }, 'POST', '/api/integrations', integration('by-token', 'x'))).status, 403);
    assert.equal((await call({ token: readA }, 'POST', `/api/calls/${callA}/replay`, { dryRun: true })).status, 403);
    assert.equal((await call({ token: gatewayA }, 'GET', '/api/integrations')).status, 403);
    assert.equal((await call({ token: gatewayA }, 'GET', '/api/calls')).status, 403);
    // A token is of one workspace: naming another is a 404.
    assert.equal((await call({ token: readA }, 'GET', '/api/integrations?ws=team-b')).status, 404);
  });

  test('isolation walk: B’s slugs and ids from A are 404, and A’s lists and counts leave B out', async () => {
    const asA = membersA.admin;
    const walk: [string, string, unknown?][] = [
      ['GET', '/api/integrations/billing'],
      ['PATCH', '/api/integrations/billing', { name: 'taken over' }],
      ['DELETE', '/api/integrations/billing'],
      ['GET', `/api/integrations/billing/timeseries?from=${hourAgo()}`],
      ['GET', '/api/integrations/billing/breaker'],
      ['POST', '/api/integrations/billing/breaker', { action: 'isolate' }],
      ['GET', `/api/calls/${callB}`],
      ['POST', `/api/calls/${callB}/replay`, { dryRun: true }],
      ['POST', `/api/calls/${callB}/replay`, {}],
      ['GET', '/api/integrations?ws=team-b'],
      ['GET', '/api/calls?ws=team-b'],
      ['GET', '/api/overview?ws=team-b'],
      ['GET', '/api/metrics?ws=team-b'],
    ];
    const leaks: string[] = [];
    for (const [method, path, body] of walk) {
      const answer = await call(asA, method, path, body);
      if (answer.status !== 404) leaks.push(`${method} ${path}: ${answer.status}`);
    }
    const pages: [string, ...string[]][] = [
      ['/integrations/billing', 'CRM billing billing'],
      [`/explorer/${callB}`, '/b/hello'],
      ['/settings/integrations/billing/edit', 'CRM billing billing'],
      ['/?ws=team-b', 'CRM billing billing', 'CRM crm b'],
    ];
    for (const [page, ...secrets] of pages) {
      const answer = await call(asA, 'GET', page);
      if (!isNotFoundPage(answer, ...secrets))
        leaks.push(`page ${page}: ${answer.status} ${secrets.filter((x) => answer.text.includes(x)).join(', ')}`);
    }
    // The check is real: the same pages are found for B's member.
    for (const [page] of pages.slice(0, 3)) {
      const answer = await call(adminB, 'GET', page);
      if (answer.status !== 200 || isNotFoundPage(answer)) leaks.push(`page ${page} not shown to B`);
    }
    assert.deepEqual(leaks, []);
    // Nothing of B's changed.
    const billing = await call(adminB, 'GET', '/api/integrations/billing');
    assert.equal(billing.json.integration.name, 'CRM billing billing');

    const list = await call(asA, 'GET', '/api/integrations');
    assert.deepEqual(
      list.json.integrations.map((i: { id: string }) => i.id).filter((id: string) => id === crmB),
      [],
    );
    assert.ok(!list.text.includes('billing'));
    const calls = await call(asA, 'GET', '/api/calls');
    assert.ok(calls.json.calls.every((c: { id: string }) => c.id !== callB));
    assert.equal((await call(asA, 'GET', '/api/calls?integration=billing')).json.calls.length, 0);
    const overview = await call(asA, 'GET', '/api/overview');
    const tiles = overview.json.integrations as { id: string; requests: number }[];
    assert.ok(tiles.some((t) => t.id === crmA));
    assert.ok(tiles.every((t) => t.id !== crmB));
    const overviewB = await call(adminB, 'GET', '/api/overview');
    assert.deepEqual((overviewB.json.integrations as { slug: string }[]).map((t) => t.slug).sort(), ['billing', 'crm']);
  });

  test('/api/metrics shows only the workspace of the token or session, each series labelled', async () => {
    const forB = (await call({ token: readB }, 'GET', '/api/metrics')).text;
    assert.match(forB, /breakwater_calls_total\{workspace="team-b",integration="crm"/);
    assert.ok(!forB.includes('workspace="default"'), 'B’s scrape has none of A’s series');
    const forA = (await call(membersA.viewer, 'GET', '/api/metrics')).text;
    assert.match(forA, /breakwater_calls_total\{workspace="default",integration="crm"/);
    assert.ok(!forA.includes('workspace="team-b"'), 'A’s scrape has none of B’s series');
  });

  test('pages render only the controls the role may use', async () => {
    const integrationPage = async (role: Role) => (await call(membersA[role], 'GET', '/integrations/crm')).text;
    const viewer = await integrationPage('viewer');
    const operator = await integrationPage('operator');
    const editor = await integrationPage('editor');
    assert.ok(!viewer.includes('>Isolate<'), 'a viewer has no breaker actions');
    assert.ok(operator.includes('>Isolate<'), 'an operator has breaker actions');
    assert.ok(!operator.includes('/settings/integrations/crm/edit'), 'an operator cannot edit');
    assert.ok(editor.includes('/settings/integrations/crm/edit'), 'an editor can edit');
    const callPage = async (role: Role) => (await call(membersA[role], 'GET', `/explorer/${callA}`)).text;
    assert.ok(!(await callPage('viewer')).includes('id="replay-heading"'), 'a viewer cannot replay');
    assert.ok((await callPage('operator')).includes('id="replay-heading"'), 'an operator can replay');
    // Editing pages are an editor's.
    assert.ok(isNotFoundPage(await call(membersA.operator, 'GET', '/settings/integrations/crm/edit')));
    assert.ok(isNotFoundPage(await call(membersA.viewer, 'GET', '/settings/integrations/new')));
    const editorsPage = await call(membersA.editor, 'GET', '/settings/integrations/crm/edit');
    assert.equal(editorsPage.status, 200);
    assert.ok(!isNotFoundPage(editorsPage));
  });

  test('changes, breaker actions and replays are in the audit log of their workspace', async () => {
    const events = await db.auditEvent.findMany({ where: { workspaceId: B.id }, select: { action: true } });
    assert.deepEqual(events.map((e) => e.action).sort(), ['integration.create', 'integration.create']);
    const inA = new Set(
      (await db.auditEvent.findMany({ where: { workspaceId: A.id }, select: { action: true } })).map((e) => e.action),
    );
    for (const action of ['integration.create', 'integration.update', 'integration.delete', 'breaker.reset'])
      assert.ok(inA.has(action), `${action} recorded`);
    // A dry run sends nothing and records nothing; a real replay is recorded.
    assert.ok(!inA.has('call.replay'));
    const replay = await call(membersA.operator, 'POST', `/api/calls/${callA}/replay`, {});
    assert.equal(replay.status, 200, replay.text);
    const replays = await db.auditEvent.findMany({ where: { workspaceId: A.id, action: 'call.replay' } });
    assert.equal(replays.length, 1);
    assert.equal(replays[0].objectId, callA);
  });
});
