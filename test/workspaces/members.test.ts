import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createInvite } from '@/lib/auth';
import type { Db } from '@/lib/db';
import { assertSecretRole } from '@/lib/secret-roles';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type ApiAnswer, type BreakwaterServer, callApi, signIn, startBreakwater } from '../support/server';
import { createMember, createToken, createWorkspace, openDb, type TestMember } from '../support/workspaces';

// Members, invitations, passwords, sessions and workspaces, against the production server on a database of
// its own (SQLite, or PostgreSQL with BREAKWATER_TEST_PROVIDER=postgresql), with a second workspace `b`.
let database: TestDatabase;
let server: BreakwaterServer;
let db: Db;
let admin: string;
let adminId: string;
let b: { id: string; slug: string };
let bAdmin: TestMember;
const members: Record<string, TestMember> = {};

async function call(cookie: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  return callApi(server, cookie, path, init);
}

async function withToken(token: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A browser with no session: posts to the invitation link and keeps the cookie it is given. */
async function acceptAnonymously(path: string, body: unknown) {
  const response = await fetch(`${server.url}/api/invites/${path.split('/').pop()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url, 'user-agent': 'second-browser/1.0' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : null,
    cookie: response.headers.get('set-cookie')?.split(';')[0],
  };
}

async function logIn(username: string, password: string, userAgent = 'test-agent/1.0') {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    body: JSON.stringify({ username, password }),
  });
  return { status: response.status, cookie: response.headers.get('set-cookie')?.split(';')[0] };
}

before(async () => {
  database = await createTestDatabase();
  server = await startBreakwater(database.url);
  db = openDb(database.url);
  admin = await signIn(server);
  adminId = (await db.user.findUniqueOrThrow({ where: { username: 'admin' } })).id;
  for (const role of ['viewer', 'operator', 'editor', 'admin'] as const) {
    members[role] = await createMember(db, 'default', role);
  }
  b = await createWorkspace(db, 'b', 'Team B');
  bAdmin = await createMember(db, b.id, 'admin');
});

after(async () => {
  await server?.stop();
  await db?.$disconnect();
  await database?.drop();
});

describe('who may manage members', () => {
  test('role x route: only admins list, invite, re-role and remove; every role reads its own workspaces', async () => {
    const routes = (target: string): [string, string, unknown, number][] => [
      ['GET', '/api/members', undefined, 200],
      ['POST', '/api/members/invites', { role: 'viewer' }, 201],
      ['PATCH', `/api/members/${target}`, { role: 'viewer' }, 200],
      ['DELETE', '/api/members/no-such-user', undefined, 404],
      ['GET', '/api/workspaces/settings', undefined, 200],
      ['GET', '/api/audit', undefined, 200],
    ];
    const table: string[] = [];
    for (const role of ['viewer', 'operator', 'editor', 'admin'] as const) {
      const target = members.viewer.userId;
      for (const [method, path, body, adminStatus] of routes(target)) {
        const answer = await call(members[role].cookie, path, { method, body });
        const want = role === 'admin' ? adminStatus : 403;
        table.push(`${role} ${method} ${path} -> ${answer.status}${answer.status === want ? '' : ` (want ${want})`}`);
      }
      const own = await call(members[role].cookie, '/api/workspaces');
      assert.equal(own.status, 200);
      assert.deepEqual(
        own.body.workspaces.map((w: { slug: string; role: string }) => `${w.slug}:${w.role}`),
        [`default:${role}`],
      );
    }
    assert.deepEqual(
      table.filter((line) => line.includes('want')),
      [],
      table.join('\n'),
    );
  });

  test('a token needs the admin scope, and its owner must still be an admin', async () => {
    const readToken = await createToken(db, members.admin.userId, 'default', ['read']);
    assert.equal((await withToken(readToken, '/api/members')).status, 403);
    const adminToken = await createToken(db, members.admin.userId, 'default', ['read', 'admin']);
    assert.equal((await withToken(adminToken, '/api/members')).status, 200);
    const editorsAdminToken = await createToken(db, members.editor.userId, 'default', ['admin']);
    assert.equal((await withToken(editorsAdminToken, '/api/members')).status, 403);
    // What belongs to a person is not a token's: passwords and sessions need the browser session.
    assert.equal((await withToken(adminToken, '/api/me/sessions')).status, 403);
  });

  test('bad input is a 400 naming the field, and nothing changes', async () => {
    const answer = await call(admin, `/api/members/${members.viewer.userId}`, {
      method: 'PATCH',
      body: { role: 'owner' },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.field, 'role');
    const invite = await call(admin, '/api/members/invites', {
      method: 'POST',
      body: { role: 'viewer', expiresInDays: 0 },
    });
    assert.equal(invite.status, 400);
    assert.equal(invite.body.field, 'expiresInDays');
  });
});

describe('isolation between workspaces', () => {
  test("an admin of b cannot see, re-role or remove default's members, nor withdraw its invitations", async () => {
    const list = await call(bAdmin.cookie, '/api/members');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.members.map((m: { username: string }) => m.username),
      [bAdmin.username],
    );
    assert.equal((await call(bAdmin.cookie, '/api/members?ws=default')).status, 404);
    const target = members.operator.userId;
    assert.equal(
      (await call(bAdmin.cookie, `/api/members/${target}`, { method: 'PATCH', body: { role: 'admin' } })).status,
      404,
    );
    assert.equal((await call(bAdmin.cookie, `/api/members/${target}`, { method: 'DELETE' })).status, 404);
    const invite = await call(admin, '/api/members/invites', { method: 'POST', body: { role: 'viewer' } });
    assert.equal(
      (await call(bAdmin.cookie, `/api/members/invites/${invite.body.id}`, { method: 'DELETE' })).status,
      404,
    );
    assert.equal((await call(bAdmin.cookie, '/api/workspaces/settings?ws=default')).status, 404);
    const stillThere = await call(admin, '/api/members');
    assert.ok(stillThere.body.invites.some((i: { id: string }) => i.id === invite.body.id));
    assert.ok(
      stillThere.body.members.some(
        (m: { userId: string; role: string }) => m.userId === target && m.role === 'operator',
      ),
    );
  });
});

describe('invitations', () => {
  test('a link works once: it creates the user, signs them in with the chosen role; then 410', async () => {
    const created = await call(admin, '/api/members/invites', { method: 'POST', body: { role: 'editor' } });
    assert.equal(created.status, 201);
    assert.match(created.body.path, /^\/invite\/bwi_/);
    assert.equal(created.body.url, `${server.url}${created.body.path}`, 'the link names the host the admin used');
    const secret = created.body.path.split('/').pop();
    const stored = await db.invite.findUniqueOrThrow({ where: { id: created.body.id } });
    assert.notEqual(stored.secretHash, secret, 'only the hash is stored');
    assert.doesNotMatch(JSON.stringify((await call(admin, '/api/members')).body), new RegExp(secret));

    const offer = await fetch(`${server.url}/api/invites/${secret}`).then((r) => r.json());
    assert.deepEqual(offer, { workspace: { slug: 'default', name: 'Default' }, role: 'editor' });

    const weak = await acceptAnonymously(created.body.path, { username: 'newcomer', password: 'short' });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.field, 'password');
    const taken = await acceptAnonymously(created.body.path, { username: 'admin', password: 'a-long-enough-password' });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.field, 'username');

    const accepted = await acceptAnonymously(created.body.path, {
      username: 'newcomer',
      password: 'a-long-enough-password',
    });
    assert.equal(accepted.status, 201);
    assert.equal(accepted.body.role, 'editor');
    assert.ok(accepted.cookie, 'signed in at once');
    const mine = await call(accepted.cookie!, '/api/workspaces');
    assert.deepEqual(
      mine.body.workspaces.map((w: { slug: string; role: string }) => `${w.slug}:${w.role}`),
      ['default:editor'],
    );

    const again = await acceptAnonymously(created.body.path, {
      username: 'second',
      password: 'a-long-enough-password',
    });
    assert.equal(again.status, 410);
    assert.match(again.body.error, /already been used/);
    assert.equal((await fetch(`${server.url}/api/invites/${secret}`)).status, 410);
    assert.equal(await db.user.count({ where: { username: 'second' } }), 0, 'nothing half-written');
  });

  test('an expired link answers 410; an unknown or withdrawn one 404', async () => {
    const created = await call(admin, '/api/members/invites', { method: 'POST', body: { role: 'viewer' } });
    await db.invite.update({ where: { id: created.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await acceptAnonymously(created.body.path, {
      username: 'late',
      password: 'a-long-enough-password',
    });
    assert.equal(expired.status, 410);
    assert.match(expired.body.error, /expired/);
    const page = await fetch(`${server.url}${created.body.path}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /expired/);

    assert.equal((await fetch(`${server.url}/api/invites/bwi_unknown`)).status, 404);
    const withdrawn = await call(admin, '/api/members/invites', { method: 'POST', body: { role: 'viewer' } });
    assert.equal((await call(admin, `/api/members/invites/${withdrawn.body.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await fetch(`${server.url}/api/invites/${withdrawn.body.path.split('/').pop()}`)).status, 404);
  });

  test('a signed-in user who accepts joins the workspace and keeps their others', async () => {
    const created = await call(admin, '/api/members/invites', { method: 'POST', body: { role: 'operator' } });
    const response = await fetch(`${server.url}/api/invites/${created.body.path.split('/').pop()}`, {
      method: 'POST',
      headers: { cookie: bAdmin.cookie, origin: server.url, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(response.status, 201);
    const mine = await call(bAdmin.cookie, '/api/workspaces');
    assert.deepEqual(mine.body.workspaces.map((w: { slug: string; role: string }) => `${w.slug}:${w.role}`).sort(), [
      'b:admin',
      'default:operator',
    ]);
    await call(admin, `/api/members/${bAdmin.userId}`, { method: 'DELETE' });
  });

  test('the role an invitation gives is never above the inviter’s own', async () => {
    await assert.rejects(
      createInvite(db, { workspaceId: 'default', role: 'admin', inviterId: adminId, inviterRole: 'operator' }),
      (error: Error & { status?: number }) => error.status === 403 && /above your own/.test(error.message),
    );
    const ok = await createInvite(db, {
      workspaceId: 'default',
      role: 'operator',
      inviterId: adminId,
      inviterRole: 'operator',
    });
    assert.equal(ok.invite.role, 'operator');
  });
});

describe('removing and re-roling members', () => {
  test('removing a member ends their sessions and tokens at once; they can still sign in, to no workspace', async () => {
    const leaving = await createMember(db, 'default', 'editor');
    const token = await createToken(db, leaving.userId, 'default', ['read', 'write']);
    assert.equal((await call(leaving.cookie, '/api/me')).status, 200);
    assert.equal((await withToken(token, '/api/members')).status, 403);

    assert.equal((await call(admin, `/api/members/${leaving.userId}`, { method: 'DELETE' })).status, 204);
    assert.equal((await call(leaving.cookie, '/api/workspaces')).status, 401, 'the session ended at once');
    assert.equal((await withToken(token, '/api/me')).status, 401, 'the token was revoked');
    assert.equal(await db.session.count({ where: { userId: leaving.userId } }), 0);

    const again = await logIn(leaving.username, leaving.password);
    assert.equal(again.status, 200);
    const mine = await call(again.cookie!, '/api/workspaces');
    assert.deepEqual(mine.body.workspaces, []);
    // A workspace page sends them to their account page (a streamed page redirects with a meta refresh).
    const members = await fetch(`${server.url}/members`, { headers: { cookie: again.cookie! }, redirect: 'manual' });
    if (members.status === 200) assert.match(await members.text(), /url=\/account/);
    else assert.equal(members.headers.get('location'), '/account');
    const account = await fetch(`${server.url}/account`, { headers: { cookie: again.cookie! } });
    assert.match(await account.text(), /No workspace/);
  });

  test('a workspace keeps at least one admin', async () => {
    const only = await createWorkspace(db, 'solo', 'Solo');
    const soloAdmin = await createMember(db, only.id, 'admin');
    const demote = await call(soloAdmin.cookie, `/api/members/${soloAdmin.userId}`, {
      method: 'PATCH',
      body: { role: 'viewer' },
    });
    assert.equal(demote.status, 409);
    assert.equal((await call(soloAdmin.cookie, `/api/members/${soloAdmin.userId}`, { method: 'DELETE' })).status, 409);
  });

  test("a new role applies on the member's next request", async () => {
    const member = await createMember(db, 'default', 'viewer');
    assert.equal((await call(member.cookie, '/api/members')).status, 403);
    const changed = await call(admin, `/api/members/${member.userId}`, { method: 'PATCH', body: { role: 'admin' } });
    assert.equal(changed.status, 200);
    assert.equal((await call(member.cookie, '/api/members')).status, 200);
  });
});

describe('password and sessions', () => {
  test('changing the password: the old one is refused after, other sessions end, this one stays', async () => {
    const me = await createMember(db, 'default', 'viewer');
    const elsewhere = await logIn(me.username, me.password, 'other-browser/2.0');
    const wrong = await call(me.cookie, '/api/me/password', {
      method: 'POST',
      body: { current: 'not-my-password', next: 'a-brand-new-password' },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.field, 'current');
    const weak = await call(me.cookie, '/api/me/password', {
      method: 'POST',
      body: { current: me.password, next: 'short' },
    });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.field, 'next');

    const changed = await call(me.cookie, '/api/me/password', {
      method: 'POST',
      body: { current: me.password, next: 'a-brand-new-password' },
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.sessionsEnded, 1);
    assert.equal((await call(me.cookie, '/api/workspaces')).status, 200, 'this session stays');
    assert.equal((await call(elsewhere.cookie!, '/api/workspaces')).status, 401, 'the other one ended');
    assert.equal((await logIn(me.username, me.password)).status, 401);
    assert.equal((await logIn(me.username, 'a-brand-new-password')).status, 200);
  });

  test('sessions: listed with address, browser and last use; one or all others signed out', async () => {
    const me = await createMember(db, 'default', 'viewer');
    const first = await logIn(me.username, me.password, 'first-browser/1.0');
    const second = await logIn(me.username, me.password, 'second-browser/1.0');
    const listed = await call(first.cookie!, '/api/me/sessions');
    assert.equal(listed.status, 200);
    assert.equal(listed.body.sessions.length, 3);
    const current = listed.body.sessions.filter((s: { current: boolean }) => s.current);
    assert.equal(current.length, 1);
    assert.equal(current[0].userAgent, 'first-browser/1.0');
    assert.equal(current[0].address, '127.0.0.1');
    const other = listed.body.sessions.find((s: { userAgent: string }) => s.userAgent === 'second-browser/1.0');
    assert.ok(other.lastSeenAt && other.createdAt);
    assert.doesNotMatch(JSON.stringify(listed.body), new RegExp(first.cookie!.split('=')[1]));

    // Another user cannot end it.
    assert.equal((await call(admin, `/api/me/sessions/${other.id}`, { method: 'DELETE' })).status, 404);
    assert.equal((await call(first.cookie!, `/api/me/sessions/${other.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await call(second.cookie!, '/api/workspaces')).status, 401);
    assert.equal((await call(me.cookie, '/api/workspaces')).status, 200);

    const ended = await call(first.cookie!, '/api/me/sessions', { method: 'DELETE' });
    assert.deepEqual(ended.body, { ended: 1 });
    assert.equal((await call(me.cookie, '/api/workspaces')).status, 401);
    assert.equal((await call(first.cookie!, '/api/me/sessions')).body.sessions.length, 1);
  });
});

describe('workspaces', () => {
  test('the owner creates a workspace with an existing user as its first admin; nobody else may', async () => {
    const lead = await createMember(db, 'default', 'viewer');
    const refused = await call(members.admin.cookie, '/api/workspaces', {
      method: 'POST',
      body: { slug: 'team-x', name: 'Team X', admin: lead.username },
    });
    assert.equal(refused.status, 403, 'an admin of default is not the owner');
    const created = await call(admin, '/api/workspaces', {
      method: 'POST',
      body: { slug: 'team-x', name: 'Team X', admin: lead.username },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.workspace.slug, 'team-x');
    const mine = await call(lead.cookie, '/api/workspaces');
    assert.deepEqual(
      mine.body.workspaces.map((w: { slug: string; role: string }) => `${w.slug}:${w.role}`),
      ['default:viewer', 'team-x:admin'],
    );
    assert.equal((await call(lead.cookie, '/api/members?ws=team-x')).status, 200);
    const duplicate = await call(admin, '/api/workspaces', {
      method: 'POST',
      body: { slug: 'team-x', name: 'Again', admin: lead.username },
    });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.field, 'slug');
    const unknown = await call(admin, '/api/workspaces', {
      method: 'POST',
      body: { slug: 'team-y', name: 'Team Y', admin: 'nobody-by-this-name' },
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.field, 'admin');
    assert.equal(await db.workspace.count({ where: { slug: 'team-y' } }), 0);
    const bad = await call(admin, '/api/workspaces', {
      method: 'POST',
      body: { slug: 'Bad Slug', name: 'x', admin: 'admin' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'slug');
  });

  test('or with an admin invitation, which makes whoever accepts it the admin', async () => {
    const created = await call(admin, '/api/workspaces', {
      method: 'POST',
      body: { slug: 'team-z', name: 'Team Z', admin: { invite: true } },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.admin, null);
    const accepted = await acceptAnonymously(created.body.invite.path, {
      username: 'z-lead',
      password: 'a-long-enough-password',
    });
    assert.equal(accepted.status, 201);
    assert.equal(accepted.body.role, 'admin');
    assert.equal((await call(accepted.cookie!, '/api/members')).status, 200);
  });

  test('workspace settings: which exposed secrets it may use (default: all; a new one: none until allowed)', async () => {
    assert.equal((await call(admin, '/api/workspaces/settings')).body.allowedSecrets, null);
    const lead = await createMember(
      db,
      (await db.workspace.findUniqueOrThrow({ where: { slug: 'team-z' } })).id,
      'admin',
    );
    assert.deepEqual((await call(lead.cookie, '/api/workspaces/settings')).body.allowedSecrets, []);
    const set = await call(lead.cookie, '/api/workspaces/settings', {
      method: 'PUT',
      body: { allowedSecrets: ['BREAKWATER_SECRET_TEAM_Z_*', 'BREAKWATER_SECRET_SHARED'] },
    });
    assert.equal(set.status, 200);
    const bad = await call(lead.cookie, '/api/workspaces/settings', {
      method: 'PUT',
      body: { allowedSecrets: ['not a name'] },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'allowedSecrets.0');
    assert.deepEqual((await call(lead.cookie, '/api/workspaces/settings')).body.allowedSecrets, [
      'BREAKWATER_SECRET_TEAM_Z_*',
      'BREAKWATER_SECRET_SHARED',
    ]);
    // A save naming a secret checks the list (the services pass their workspace): 400 naming the field.
    const teamZ = (await db.workspace.findUniqueOrThrow({ where: { slug: 'team-z' } })).id;
    await assertSecretRole(db, 'outbound', [{ field: 'secretEnv', name: 'BREAKWATER_SECRET_TEAM_Z_CRM' }], teamZ);
    await assertSecretRole(db, 'outbound', [{ field: 'secretEnv', name: 'BREAKWATER_SECRET_SHARED' }], teamZ);
    await assert.rejects(
      assertSecretRole(db, 'outbound', [{ field: 'secretEnv', name: 'BREAKWATER_SECRET_TEAM_A_CRM' }], teamZ),
      (error: Error & { status?: number; field?: string }) =>
        error.status === 400 && error.field === 'secretEnv' && /may not use the secret/.test(error.message),
    );
    await assertSecretRole(db, 'outbound', [{ field: 'secretEnv', name: 'BREAKWATER_SECRET_TEAM_A_CRM' }], 'default');
  });
});
