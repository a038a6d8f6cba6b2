import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bumpConfigVersion, type Db } from '@/lib/db';
import type { Role } from '@/lib/model';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type ApiAnswer,
  type BreakwaterServer,
  callApi,
  eventually,
  PASS_THROUGH_POLICY,
  signIn,
  startBreakwater,
} from '../support/server';
import { createMember, createToken, createWorkspace, openDb, type TestMember } from '../support/workspaces';

// Scoped tokens against the production server: scopes and roles on the token routes, the gateway's checks
// (scope, allow-list, workspace, expiry), each token's own rate limit and monthly quota (kept across a
// restart), the callers panel's API, and the token value never kept anywhere after its creation.

let database: TestDatabase;
let server: BreakwaterServer;
let db: Db;
let upstream: Server;
let upstreamUrl: string;
let admin: string; // cookie of the admin of `default`
let adminId: string;
let adminB: TestMember;
const members = {} as Record<Role, TestMember>;
/** every clear token value handed out, to look for afterwards */
const values: string[] = [];
/** the text of every API answer after a creation, to look for the values in */
const answers: string[] = [];

async function asCookie(cookie: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const answer = await callApi(server, cookie, path, init);
  answers.push(JSON.stringify(answer.body));
  return answer;
}

async function asToken(
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<ApiAnswer> {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  answers.push(text);
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A gateway call with a token (or none); its status, error and Retry-After. */
async function gateway(token: string | null, slug: string) {
  const response = await fetch(`${server.url}/api/gw/${slug}/thing`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  answers.push(text);
  const body = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : {};
  return {
    status: response.status,
    error: body.error as string | undefined,
    retryAfter: response.headers.get('retry-after'),
  };
}

/** A token made through the API by the default workspace's admin; its clear value. */
async function newToken(body: Record<string, unknown>): Promise<{ token: string; id: string }> {
  const created = await asCookie(admin, '/api/tokens', { method: 'POST', body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  values.push(created.body.token);
  return { token: created.body.token, id: created.body.id };
}

/** Waits until the gateway serves a token (it reloads tokens on the config version it polls). */
const servedByGateway = (token: string, slug = 'up') =>
  eventually(`gateway knows the token`, async () => ((await gateway(token, slug)).status === 200 ? true : undefined));

async function createIntegration(slug: string) {
  const created = await asCookie(admin, '/api/integrations', {
    method: 'POST',
    body: { name: slug, slug, baseUrl: `${upstreamUrl}/base`, authScheme: 'none', policy: PASS_THROUGH_POLICY },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
}

before(async () => {
  upstream = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  database = await createTestDatabase();
  server = await startBreakwater(database.url);
  db = openDb(database.url);
  admin = await signIn(server);
  adminId = (await db.user.findUniqueOrThrow({ where: { username: 'admin' } })).id;
  for (const role of ['viewer', 'operator', 'editor', 'admin'] as const)
    members[role] = await createMember(db, 'default', role);
  const b = await createWorkspace(db, 'b');
  adminB = await createMember(db, b.id, 'admin');
  await createIntegration('up');
  await createIntegration('other');
  // Workspace b's integration (made through default's API, then moved: creating in b is another part's route).
  await createIntegration('bee');
  await db.integration.update({
    where: { id: (await db.integration.findFirstOrThrow({ where: { slug: 'bee' } })).id },
    data: { workspaceId: b.id },
  });
  await bumpConfigVersion(db);
});

after(async () => {
  await server?.stop();
  await db?.$disconnect();
  await database?.drop();
  await new Promise<void>((resolve) => upstream?.close(() => resolve()));
});

describe('token routes: roles and isolation', () => {
  test("only admins list, create and revoke tokens; every member sees an integration's callers", async () => {
    const throwaway = await newToken({ name: 'throwaway', scopes: ['read'] });
    const table: [Role, string, string, number][] = [];
    for (const role of ['viewer', 'operator', 'editor'] as const) {
      table.push([role, 'GET', '/api/tokens', 403]);
      table.push([role, 'POST', '/api/tokens', 403]);
      table.push([role, 'DELETE', `/api/tokens/${throwaway.id}`, 403]);
      table.push([role, 'GET', '/api/integrations/up/callers', 200]);
    }
    table.push(['admin', 'GET', '/api/tokens', 200]);
    table.push(['admin', 'POST', '/api/tokens', 201]);
    table.push(['admin', 'GET', '/api/integrations/up/callers', 200]);
    table.push(['admin', 'DELETE', `/api/tokens/${throwaway.id}`, 204]);
    const got = [];
    for (const [role, method, path, _] of table) {
      const answer = await asCookie(members[role].cookie, path, {
        method,
        body: method === 'POST' ? { name: `by ${role}`, scopes: ['read'] } : undefined,
      });
      if (answer.status === 201) values.push(answer.body.token);
      got.push([role, method, path, answer.status]);
    }
    assert.deepEqual(got, table);
  });

  test("another workspace's tokens and integrations are not found, and not listed", async () => {
    const ours = await newToken({ name: 'ours', scopes: ['read'] });
    assert.equal((await asCookie(adminB.cookie, '/api/tokens?ws=default')).status, 404);
    const listed = await asCookie(adminB.cookie, '/api/tokens');
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.tokens, [], "b lists none of default's tokens");
    assert.equal((await asCookie(adminB.cookie, `/api/tokens/${ours.id}`, { method: 'DELETE' })).status, 404);
    assert.equal((await asCookie(adminB.cookie, '/api/integrations/up/callers')).status, 404);
    assert.equal((await asCookie(admin, '/api/integrations/bee/callers')).status, 404);
    const theirs = await asCookie(adminB.cookie, '/api/tokens', {
      method: 'POST',
      body: { name: 'b token', scopes: ['read'] },
    });
    assert.equal(theirs.status, 201);
    values.push(theirs.body.token);
    const ourList = (await asCookie(admin, '/api/tokens')).body.tokens as { name: string }[];
    assert.ok(!ourList.some((t) => t.name === 'b token'), "default lists none of b's tokens");
    assert.ok(ourList.some((t) => t.name === 'ours'));
  });

  test('bad token requests are 400s naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', scopes: [] }, 'scopes'],
      [{ name: 'x', scopes: ['root'] }, 'scopes.0'],
      [{ name: 'x', scopes: ['gateway'], integrations: ['nope'] }, 'integrations'],
      [{ name: 'x', scopes: ['gateway'], integrations: ['bee'] }, 'integrations'],
      [{ name: 'x', scopes: ['gateway'], expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      [{ name: 'x', scopes: ['gateway'], monthlyQuota: { nope: 5 } }, 'monthlyQuota'],
      [{ name: 'x', scopes: ['gateway'], rateLimitPerMinute: 0 }, 'rateLimitPerMinute'],
      [{ name: 'x', scopes: ['read'], monthlyQuota: { up: 5 } }, 'scopes'],
    ];
    for (const [body, field] of cases) {
      const answer = await asCookie(admin, '/api/tokens', { method: 'POST', body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.field, field, JSON.stringify(answer.body));
    }
    assert.equal(await db.apiToken.count({ where: { name: 'x' } }), 0, 'nothing half-written');
  });
});

describe('scopes at the API', () => {
  test('a read token reads but cannot write; a write token cannot manage tokens; a gateway-only token cannot call the API', async () => {
    const read = await newToken({ name: 'reader', scopes: ['read'] });
    const write = await newToken({ name: 'writer', scopes: ['read', 'write'] });
    const gw = await newToken({ name: 'gw only', scopes: ['gateway'] });
    assert.equal((await asToken(read.token, '/api/integrations')).status, 200);
    const refused = await asToken(read.token, '/api/integrations', {
      method: 'POST',
      body: { name: 'no', slug: 'no', baseUrl: `${upstreamUrl}/`, authScheme: 'none' },
    });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /"write" scope/);
    assert.equal((await asToken(write.token, '/api/tokens')).status, 403);
    assert.equal(
      (await asToken(write.token, '/api/tokens', { method: 'POST', body: { name: 'n', scopes: ['read'] } })).status,
      403,
    );
    assert.equal((await asToken(gw.token, '/api/integrations')).status, 403);
    assert.equal((await asToken(read.token, '/api/integrations?ws=b')).status, 404, 'a token of default naming b');
  });

  test('a token with the admin scope may create tokens, but none with a scope it lacks itself', async () => {
    const manager = await newToken({ name: 'manager', scopes: ['read', 'admin'] });
    const ok = await asToken(manager.token, '/api/tokens', {
      method: 'POST',
      body: { name: 'made by token', scopes: ['read'] },
    });
    assert.equal(ok.status, 201);
    values.push(ok.body.token);
    const above = await asToken(manager.token, '/api/tokens', {
      method: 'POST',
      body: { name: 'x', scopes: ['gateway'] },
    });
    assert.equal(above.status, 400);
    assert.equal(above.body.field, 'scopes');
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'token.create', objectId: ok.body.id } });
    assert.equal(audit.actorType, 'token');
  });
});

describe('the gateway', () => {
  test('a missing token, an unknown one, one without the gateway scope, one outside its allow-list or workspace', async () => {
    const listed = await newToken({ name: 'up only', scopes: ['gateway'], integrations: ['up'] });
    const reader = await newToken({ name: 'no gateway', scopes: ['read'] });
    await servedByGateway(listed.token);
    const none = await gateway(null, 'up');
    assert.deepEqual([none.status, /no token/.test(none.error ?? '')], [401, true]);
    const bogus = await gateway('bw_not-a-real-token', 'up');
    assert.deepEqual([bogus.status, /invalid or revoked token/.test(bogus.error ?? '')], [401, true]);
    const scope = await gateway(reader.token, 'up');
    assert.deepEqual([scope.status, scope.error], [403, 'token lacks the gateway scope']);
    const outside = await gateway(listed.token, 'other');
    assert.equal(outside.status, 403);
    assert.match(outside.error ?? '', /"other"/);
    assert.equal((await gateway(listed.token, 'bee')).status, 404, "another workspace's integration");
  });

  test('an expired token is refused at the gateway and the API, and listed as expired', async () => {
    const live = await createToken(db, adminId, 'default', ['gateway', 'read']);
    const expired = await createToken(db, adminId, 'default', ['gateway', 'read'], {
      expiresAt: new Date(Date.now() - 60_000),
    });
    values.push(live, expired);
    await servedByGateway(live); // loaded in the same reload as the expired one
    const refused = await gateway(expired, 'up');
    assert.equal(refused.status, 401);
    assert.match(refused.error ?? '', /invalid or revoked token/);
    assert.equal((await asToken(expired, '/api/integrations')).status, 401);
    assert.equal((await asToken(live, '/api/integrations')).status, 200);
    const listed = (await asCookie(admin, '/api/tokens')).body.tokens as { prefix: string; expired: boolean }[];
    assert.equal(listed.find((t) => expired.startsWith(t.prefix))?.expired, true);
  });

  test('each token has its own rate limit: 429 with Retry-After after its burst, other tokens unaffected', async () => {
    const limited = await newToken({ name: 'limited', scopes: ['gateway'], rateLimitPerMinute: 2 });
    const other = await newToken({ name: 'unlimited', scopes: ['gateway'] });
    // The first call that passes spends one of the two; the next passes, the third is refused.
    await servedByGateway(limited.token);
    assert.equal((await gateway(limited.token, 'up')).status, 200);
    const refused = await gateway(limited.token, 'up');
    assert.equal(refused.status, 429);
    assert.equal(refused.error, 'rate limit of 2/min for this token');
    assert.ok(Number(refused.retryAfter) >= 1, `Retry-After ${refused.retryAfter}`);
    assert.equal((await gateway(limited.token, 'other')).status, 200, 'a bucket per integration');
    await servedByGateway(other.token);
    assert.equal((await gateway(other.token, 'up')).status, 200);
  });

  test('a monthly quota: spent → 429 with the reason; the count survives a restart; the callers API shows it', async () => {
    const quota = await newToken({ name: 'quota', scopes: ['gateway'], monthlyQuota: { up: 3 } });
    await servedByGateway(quota.token);
    assert.equal((await gateway(quota.token, 'up')).status, 200);
    assert.equal((await gateway(quota.token, 'up')).status, 200);
    const spent = await gateway(quota.token, 'up');
    assert.equal(spent.status, 429);
    assert.match(
      spent.error ?? '',
      /^monthly quota of 3 calls to up spent for this token; resets \d{4}-\d\d-01T00:00:00\.000Z$/,
    );
    assert.ok(Number(spent.retryAfter) >= 1);
    assert.equal((await gateway(quota.token, 'other')).status, 200, 'the quota is for up only');

    const callers = async () => {
      const answer = await asCookie(members.viewer.cookie, '/api/integrations/up/callers');
      assert.equal(answer.status, 200);
      return answer.body.callers as {
        tokenId: string;
        name: string;
        callsThisMonth: number;
        monthlyQuota: number | null;
        rateLimitPerMinute: number | null;
      }[];
    };
    const shown = (await callers()).find((c) => c.tokenId === quota.id);
    assert.deepEqual({ calls: shown?.callsThisMonth, quota: shown?.monthlyQuota }, { calls: 3, quota: 3 });
    const limited = (await callers()).find((c) => c.rateLimitPerMinute === 2);
    assert.ok(limited, 'the rate-limited token is listed with its limit');
    const names = (await callers()).map((c) => c.name);
    assert.ok(names.includes('up only') && !names.includes('no gateway'), names.join());
    const ofOther = (await asCookie(admin, '/api/integrations/other/callers')).body.callers as { name: string }[];
    assert.ok(!ofOther.some((c) => c.name === 'up only'), 'a token listed for up only is no caller of other');

    await server.stop();
    const stored = await db.tokenUsage.findMany({ where: { tokenId: quota.id, integration: 'up' } });
    assert.deepEqual(
      stored.map((row) => row.calls),
      [3],
      'written at shutdown, in one row',
    );
    server = await startBreakwater(database.url);
    const again = await gateway(quota.token, 'up');
    assert.equal(again.status, 429, 'still spent after the restart');
    assert.match(again.error ?? '', /monthly quota of 3 calls to up spent/);
    assert.equal((await callers()).find((c) => c.tokenId === quota.id)?.callsThisMonth, 3);
  });
});

describe('the token value', () => {
  test('is never stored, logged or answered after its creation; creations and revocations are audited', async () => {
    const revoked = await newToken({ name: 'to revoke', scopes: ['gateway'] });
    assert.equal((await asCookie(admin, `/api/tokens/${revoked.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await gateway(revoked.token, 'up')).status, 401);
    const actions = (await db.auditEvent.findMany({ where: { objectId: revoked.id } })).map((e) => e.action).sort();
    assert.deepEqual(actions, ['token.create', 'token.revoke']);
    const createdAnswers = new Set(values.map((value) => answers.find((a) => a.includes(value))));
    const later = answers.filter((a) => !createdAnswers.has(a));
    for (const value of values) {
      assert.ok(!server.output().includes(value), 'not in the logs');
      assert.ok(!later.some((a) => a.includes(value)), 'not in any answer but its creation');
    }
    // Every row that could hold it, as text; and on SQLite the database files themselves.
    const rows = JSON.stringify([
      await db.apiToken.findMany(),
      await db.auditEvent.findMany(),
      await db.tokenUsage.findMany(),
    ]);
    for (const value of values) assert.ok(!rows.includes(value), 'not in the database');
    if (database.url.startsWith('file:')) {
      const dir = dirname(database.url.slice('file:'.length));
      const files = readdirSync(dir)
        .map((name) => `${dir}/${name}`)
        .filter(existsSync);
      for (const file of files) {
        const bytes = readFileSync(file).toString('latin1');
        for (const value of values) assert.ok(!bytes.includes(value), `not in ${file}`);
      }
    }
  });
});
