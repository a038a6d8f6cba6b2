import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pruneAuditEvents } from '@/lib/audit';
import type { Db } from '@/lib/db';
import { pruneBackgroundHistory } from '@/lib/server/retention';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type ApiAnswer, type BreakwaterServer, callApi, signIn, startBreakwater } from '../support/server';
import { createMember, createToken, createWorkspace, openDb, type TestMember } from '../support/workspaces';

// The audit log: what each change records, its filters and paging, that it is read-only and per workspace,
// and its retention. Production server on a database of its own; a second workspace `b`.
let database: TestDatabase;
let server: BreakwaterServer;
let db: Db;
let admin: string;
let viewer: TestMember;
let target: TestMember;
let bAdmin: TestMember;
const NEW_PASSWORD = 'never-in-the-audit-log-7c1e';

const call = (cookie: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer> =>
  callApi(server, cookie, path, init);

before(async () => {
  database = await createTestDatabase();
  server = await startBreakwater(database.url);
  db = openDb(database.url);
  admin = await signIn(server);
  viewer = await createMember(db, 'default', 'viewer');
  target = await createMember(db, 'default', 'viewer');
  const b = await createWorkspace(db, 'b', 'Team B');
  bAdmin = await createMember(db, b.id, 'admin');
  // Changes to find in the log.
  await call(admin, `/api/members/${target.userId}`, { method: 'PATCH', body: { role: 'operator' } });
  await call(admin, '/api/members/invites', { method: 'POST', body: { role: 'editor' } });
  await call(admin, '/api/workspaces/settings', { method: 'PUT', body: { allowedSecrets: ['BREAKWATER_SECRET_A_*'] } });
  await call(target.cookie, '/api/me/password', {
    method: 'POST',
    body: { current: target.password, next: NEW_PASSWORD },
  });
  await call(bAdmin.cookie, '/api/members/invites', { method: 'POST', body: { role: 'viewer' } });
});

after(async () => {
  await server?.stop();
  await db?.$disconnect();
  await database?.drop();
});

describe('what the audit log records', () => {
  test('a change appears with its actor, address and the fields before and after', async () => {
    const log = await call(admin, '/api/audit?action=member.role');
    assert.equal(log.status, 200);
    assert.equal(log.body.events.length, 1);
    const [event] = log.body.events;
    assert.equal(event.actor.name, 'admin');
    assert.equal(event.actor.type, 'user');
    assert.equal(event.address, '127.0.0.1');
    assert.equal(event.objectType, 'member');
    assert.equal(event.objectId, target.userId);
    assert.deepEqual(event.before, { role: 'viewer' });
    assert.deepEqual(event.after, { role: 'operator' });
    const settings = (await call(admin, '/api/audit?action=workspace.update')).body.events[0];
    assert.deepEqual(settings.before, { allowedVariables: null });
    assert.deepEqual(settings.after, { allowedVariables: ['BREAKWATER_SECRET_A_*'] });
  });

  test('a password change is recorded with no value; invite secrets never appear', async () => {
    const all = await call(admin, '/api/audit?limit=200');
    const password = all.body.events.find((e: { action: string }) => e.action === 'user.password');
    assert.ok(password, 'user.password recorded');
    assert.equal(password.actor.name, target.username);
    const text = JSON.stringify(all.body);
    assert.doesNotMatch(text, new RegExp(NEW_PASSWORD));
    assert.doesNotMatch(text, new RegExp(target.password));
    assert.doesNotMatch(text, /bwi_/);
    const stored = JSON.stringify(await db.auditEvent.findMany());
    assert.doesNotMatch(stored, new RegExp(NEW_PASSWORD));
    assert.doesNotMatch(stored, /bwi_/);
  });

  test('a token is named as the actor', async () => {
    const token = await createToken(
      db,
      (await db.user.findUniqueOrThrow({ where: { username: 'admin' } })).id,
      'default',
      ['admin'],
    );
    const response = await fetch(`${server.url}/api/members/invites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'viewer' }),
    });
    assert.equal(response.status, 201);
    const [event] = (await call(admin, '/api/audit?action=member.invite&limit=1')).body.events;
    assert.equal(event.actor.type, 'token');
    assert.equal(event.actor.name, 'token of admin');
  });
});

describe('reading the audit log', () => {
  test('filters: actor, object, action prefix, time range', async () => {
    const byActor = await call(admin, `/api/audit?actor=${target.username}`);
    assert.deepEqual(
      byActor.body.events.map((e: { action: string }) => e.action),
      ['user.password'],
    );
    const byObject = await call(admin, `/api/audit?objectType=member&objectId=${target.userId}`);
    assert.deepEqual(
      byObject.body.events.map((e: { action: string }) => e.action),
      ['member.role'],
    );
    const prefix = await call(admin, '/api/audit?action=member.');
    assert.ok(prefix.body.events.length >= 2);
    assert.ok(prefix.body.events.every((e: { action: string }) => e.action.startsWith('member.')));
    const future = new Date(Date.now() + 3600_000).toISOString();
    assert.deepEqual((await call(admin, `/api/audit?from=${future}`)).body.events, []);
    const past = new Date(Date.now() - 3600_000).toISOString();
    assert.deepEqual((await call(admin, `/api/audit?to=${past}`)).body.events, []);
    const bad = await call(admin, '/api/audit?from=yesterday');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'from');
  });

  test('cursor paging walks every event once, newest first', async () => {
    const all = (await call(admin, '/api/audit?limit=200')).body.events.map((e: { id: string }) => e.id);
    const walked: string[] = [];
    let cursor = '';
    for (let page = 0; page < 50; page++) {
      const answer = await call(admin, `/api/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...answer.body.events.map((e: { id: string }) => e.id));
      if (!answer.body.nextCursor) break;
      cursor = answer.body.nextCursor;
    }
    assert.deepEqual(walked, all);
    assert.equal((await call(admin, '/api/audit?cursor=not-a-cursor')).body.field, 'cursor');
  });

  test('read-only: no method changes or deletes an event', async () => {
    const before = await db.auditEvent.count();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const answer = await fetch(`${server.url}/api/audit`, {
        method,
        headers: { cookie: admin, origin: server.url, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(answer.status, 405, method);
    }
    assert.equal(await db.auditEvent.count(), before);
  });

  test('admins only, and only their own workspace: b cannot read default’s log', async () => {
    assert.equal((await call(viewer.cookie, '/api/audit')).status, 403);
    assert.equal((await call(bAdmin.cookie, '/api/audit?ws=default')).status, 404);
    const own = await call(bAdmin.cookie, '/api/audit');
    assert.equal(own.status, 200);
    assert.deepEqual(
      own.body.events.map((e: { action: string }) => e.action),
      ['member.invite'],
    );
    assert.ok(own.body.events.every((e: { actor: { name: string } }) => e.actor.name === bAdmin.username));
    // Pages stream (the app's loading boundary), so a page's 404 is Next's not-found answer (noindex, the page's heading absent), not the status.
    const page = await (await fetch(`${server.url}/audit?ws=default`, { headers: { cookie: bAdmin.cookie } })).text();
    assert.doesNotMatch(page, /<h1>Audit log of/);
    assert.match(page, /<meta name="robots" content="noindex"\/>/, "Next's not-found answer");
  });

  test('the audit page shows the log to an admin', async () => {
    const page = await fetch(`${server.url}/audit`, { headers: { cookie: admin } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<h1>Audit log of (<!-- -->)?Default<\/h1>/);
    const refused = await (await fetch(`${server.url}/audit`, { headers: { cookie: viewer.cookie } })).text();
    assert.doesNotMatch(refused, /<h1>Audit log of/);
    assert.match(refused, /<meta name="robots" content="noindex"\/>/, "Next's not-found answer");
  });
});

describe('retention', () => {
  test('events older than BREAKWATER_AUDIT_RETENTION_DAYS (365) are pruned by the retention loop; newer stay', async () => {
    const old = new Date(Date.now() - 400 * 24 * 3600_000);
    const kept = new Date(Date.now() - 300 * 24 * 3600_000);
    for (const at of [old, kept]) {
      await db.auditEvent.create({
        data: {
          workspaceId: 'default',
          at,
          actorType: 'user',
          actorId: 'x',
          actorName: 'historic',
          action: 'integration.update',
          objectType: 'integration',
          objectId: at.toISOString(),
        },
      });
    }
    const deleted = await pruneBackgroundHistory(db);
    assert.equal(deleted.auditEvents, 1);
    const left = await db.auditEvent.findMany({ where: { actorName: 'historic' } });
    assert.deepEqual(
      left.map((e) => e.objectId),
      [kept.toISOString()],
    );
    assert.equal(await pruneAuditEvents(db), 0);
  });
});
