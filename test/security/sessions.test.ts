import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, Client, fetch as undiciFetch } from 'undici';
import { createDb, type Db } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type BreakwaterServer, eventually, signIn, startBreakwater, TEST_ADMIN_PASSWORD } from '../support/server';

// Sessions, CSRF, sign-in throttling and malformed paths against the production server. The server trusts
// one proxy hop (BREAKWATER_TRUST_PROXY=1), so each test chooses its client address in x-forwarded-for;
// those addresses are header values only, every packet goes to 127.0.0.1.
let database: TestDatabase;
let server: BreakwaterServer;
let db: Db;
let cookie: string;

const EVIL = 'http://evil.example';

before(async () => {
  database = await createTestDatabase();
  server = await startBreakwater(database.url, { BREAKWATER_TRUST_PROXY: '1' });
  db = createDb(database.url);
  cookie = await signIn(server);
});

after(async () => {
  await server?.stop();
  await db?.$disconnect();
  await database?.drop();
});

function post(path: string, headers: Record<string, string>, body: unknown = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    redirect: 'manual',
  });
}

function login(address: string, username: string, password: string, headers: Record<string, string> = {}) {
  return post('/api/auth/login', { 'x-forwarded-for': address, ...headers }, { username, password });
}

describe('CSRF: a write with the session cookie must come from Breakwater’s own origin', () => {
  test('cross-origin, same-site and origin-less cookie writes are refused with 403 and create nothing', async () => {
    const before = await db.apiToken.count();
    const refused: [string, Record<string, string>][] = [
      ['another site', { cookie, origin: EVIL }],
      ['no Origin, no Sec-Fetch-Site', { cookie }],
      ['another port of the same host', { cookie, origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' }],
      ['a same-origin Origin but a cross-site fetch', { cookie, origin: server.url, 'sec-fetch-site': 'cross-site' }],
      ['Origin: null', { cookie, origin: 'null' }],
    ];
    for (const [what, headers] of refused) {
      const response = await post('/api/tokens', headers, { name: `csrf ${what}` });
      assert.equal(response.status, 403, what);
      assert.match((await response.json()).error, /cross-origin/, what);
    }
    const logout = await post('/api/auth/logout', { cookie, origin: EVIL });
    assert.equal(logout.status, 403, 'a forced logout is a cross-origin write too');
    assert.equal(await db.apiToken.count(), before, 'no token was created');
  });

  test('same-origin cookie writes, cookie reads from anywhere and bearer writes from anywhere pass', async () => {
    const sameOrigin = await post('/api/tokens', { cookie, origin: server.url }, { name: 'same origin' });
    assert.equal(sameOrigin.status, 201);
    const fetchMetadata = await post('/api/tokens', { cookie, 'sec-fetch-site': 'same-origin' }, { name: 'fetch md' });
    assert.equal(fetchMetadata.status, 201);
    const { token } = await sameOrigin.json();
    const bearer = await post('/api/tokens', { authorization: `Bearer ${token}`, origin: EVIL }, { name: 'bearer' });
    assert.equal(bearer.status, 201, 'a bearer token is never sent by a browser on its own: no CSRF');
    const read = await fetch(`${server.url}/api/tokens`, { headers: { cookie, origin: EVIL } });
    assert.equal(read.status, 200);
    const names = (await read.json()).tokens.map((t: { name: string }) => t.name).sort();
    assert.deepEqual(names, ['bearer', 'fetch md', 'same origin']);
  });

  test('sign-in from another site’s page is refused (login CSRF); from curl or this site it works', async () => {
    const crossSite = await login('192.0.2.50', 'admin', TEST_ADMIN_PASSWORD, { origin: EVIL });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.headers.get('set-cookie'), null);
    const fetchMetadata = await login('192.0.2.50', 'admin', TEST_ADMIN_PASSWORD, { 'sec-fetch-site': 'same-site' });
    assert.equal(fetchMetadata.status, 403);
    assert.equal((await login('192.0.2.50', 'admin', TEST_ADMIN_PASSWORD, { origin: server.url })).status, 200);
    assert.equal((await login('192.0.2.50', 'admin', TEST_ADMIN_PASSWORD)).status, 200);
  });
});

describe('the session cookie', () => {
  test('over HTTPS (behind a TLS proxy) it is __Host-bw_session and Secure, and that name signs in', async () => {
    const response = await login('192.0.2.51', 'admin', TEST_ADMIN_PASSWORD, { 'x-forwarded-proto': 'https' });
    assert.equal(response.status, 200);
    const setCookie = response.headers.get('set-cookie')!;
    assert.match(setCookie, /^__Host-bw_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Expires=[^;]+; Secure$/);
    const secureCookie = setCookie.split(';')[0];
    const me = await fetch(`${server.url}/api/me`, { headers: { cookie: secureCookie } });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).user.username, 'admin');
  });
});

describe('sign-in throttling', () => {
  test('a stranger’s 200 wrong guesses for admin from other addresses do not stop the admin signing in', async () => {
    const guesses: Promise<Response>[] = [];
    for (let i = 0; i < 200; i++) guesses.push(login(`198.51.100.${i % 40}`, 'admin', `wrong-guess-${i}`));
    const statuses = (await Promise.all(guesses)).map((r) => r.status);
    assert.deepEqual(
      [...new Set(statuses)].sort(),
      [401],
      'each guess was checked: five per address is the pair’s allowance',
    );
    const blocked = await login('198.51.100.0', 'admin', TEST_ADMIN_PASSWORD);
    assert.equal(blocked.status, 429, 'the guessing address is blocked for admin, even with the right password');
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    const admin = await login('192.0.2.10', 'admin', TEST_ADMIN_PASSWORD);
    assert.equal(admin.status, 200, 'the admin from another address signs in');
  });

  test('one address guessing many names gets 429s with a growing Retry-After', async () => {
    const address = '203.0.113.77';
    for (let i = 0; i < 20; i++) assert.equal((await login(address, `nobody-${i}`, 'x')).status, 401, `guess ${i}`);
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      const refused = await login(address, `nobody-more-${round}`, 'x');
      assert.equal(refused.status, 429);
      assert.match((await refused.json()).error, /too many failed sign-ins/);
      const wait = Number(refused.headers.get('retry-after'));
      waits.push(wait);
      await sleep(wait * 1000 + 100);
      // After the block, one more failure blocks again, twice as long.
      assert.equal((await login(address, `nobody-after-${round}`, 'x')).status, 401);
    }
    assert.ok(waits[0] >= 1 && waits[1] > waits[0] && waits[2] > waits[1], `waits ${waits}`);
    const admin = await login(address, 'admin', TEST_ADMIN_PASSWORD);
    assert.equal(admin.status, 429, 'the blocked address is refused whatever it sends');
    assert.equal((await login('192.0.2.11', 'admin', TEST_ADMIN_PASSWORD)).status, 200, 'others are not');
  });
});

/** A GET whose path is sent exactly as written (fetch and URL would re-encode it). */
async function rawGet(path: string, headers: Record<string, string> = {}) {
  const client = new Client(server.url);
  try {
    const response = await client.request({ method: 'GET', path, headers });
    const body = await response.body.text();
    return { status: response.statusCode, type: String(response.headers['content-type'] ?? ''), body };
  } finally {
    await client.close();
  }
}

describe('malformed paths', () => {
  test('bad percent-encoding in any route segment answers 400 (JSON under /api), never 500', async () => {
    const segments = ['%', '%zz', '%ff', '%ED%A0%80', '%C0%AF', 'a%2'];
    const routes = ['/integrations/', '/explorer/', '/api/integrations/', '/api/calls/', '/api/gw/', '/api/webhooks/'];
    for (const route of routes) {
      for (const segment of segments) {
        const answer = await rawGet(`${route}${segment}`, { cookie });
        assert.equal(answer.status, 400, `${route}${segment}: ${answer.body.slice(0, 200)}`);
        if (route.startsWith('/api/')) assert.equal(JSON.parse(answer.body).field, '(path)');
        else assert.match(answer.body, /malformed URL path/);
      }
    }
    const wellFormed = await rawGet('/api/integrations/%41%42', { cookie });
    assert.equal(wellFormed.status, 404, 'well-formed encoding still reaches the route');
    assert.match(JSON.parse(wellFormed.body).error, /not found/);
  });
});

describe('credentials are checked against the store', () => {
  test('a revoked token stops at once; a session deleted elsewhere stops within the cache bound', async () => {
    const created = await post('/api/tokens', { cookie, origin: server.url }, { name: 'to revoke' });
    const { token, id } = await created.json();
    const me = () => fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await me()).status, 200);
    const revoke = await fetch(`${server.url}/api/tokens/${id}`, {
      method: 'DELETE',
      headers: { cookie, origin: server.url },
    });
    assert.equal(revoke.status, 204);
    assert.equal((await me()).status, 401);

    const second = (await (await login('192.0.2.12', 'admin', TEST_ADMIN_PASSWORD)).headers.get('set-cookie'))!.split(
      ';',
    )[0];
    const page = () => fetch(`${server.url}/tokens?ws=default`, { headers: { cookie: second }, redirect: 'manual' });
    assert.equal((await page()).status, 200);
    // Another instance (or an operator) deletes the session: this process notices within its cache's bound.
    await db.session.deleteMany({});
    await eventually(
      'the deleted session to be refused',
      async () => ((await page()).status === 307 ? true : undefined),
      15_000,
    );
    const refused = await page();
    assert.equal(new URL(refused.headers.get('location')!, server.url).pathname, '/login');
    assert.equal((await fetch(`${server.url}/api/me`, { headers: { cookie: second } })).status, 401);
  });

  test('logout ends the session for pages and API at once', async () => {
    const session = (await (await login('192.0.2.13', 'admin', TEST_ADMIN_PASSWORD)).headers.get('set-cookie'))!.split(
      ';',
    )[0];
    assert.equal(
      (await fetch(`${server.url}/?ws=default`, { headers: { cookie: session }, redirect: 'manual' })).status,
      200,
    );
    assert.equal((await post('/api/auth/logout', { cookie: session, origin: server.url })).status, 200);
    assert.equal(
      (await fetch(`${server.url}/?ws=default`, { headers: { cookie: session }, redirect: 'manual' })).status,
      307,
    );
    assert.equal((await fetch(`${server.url}/api/me`, { headers: { cookie: session } })).status, 401);
  });

  test('pages take a session only: a valid API token or a forged cookie gets a redirect to sign-in', async () => {
    const created = await post('/api/tokens', { cookie: await signIn(server), origin: server.url }, { name: 'pages' });
    const { token } = await created.json();
    const forged: Record<string, string>[] = [{ authorization: `Bearer ${token}` }, { cookie: 'bw_session=forged' }];
    for (const headers of forged) {
      const response = await fetch(`${server.url}/settings/integrations`, { headers, redirect: 'manual' });
      assert.equal(response.status, 307, JSON.stringify(headers));
      assert.equal(new URL(response.headers.get('location')!, server.url).pathname, '/login');
    }
  });
});

describe('security headers', () => {
  test('every page carries CSP, frame protection, nosniff and a referrer policy; HSTS only over HTTPS', async () => {
    for (const [path, headers] of [
      ['/login', {}],
      ['/tokens', { cookie }],
      ['/tokens', {}],
    ] as [string, Record<string, string>][]) {
      const response = await fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
      const csp = response.headers.get('content-security-policy') ?? '';
      for (const directive of [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
      ]) {
        assert.ok(csp.includes(directive), `${path}: ${directive} in ${csp}`);
      }
      assert.match(csp, /script-src 'self' 'nonce-[^']+'/);
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
      assert.equal(response.headers.get('strict-transport-security'), null, 'plain http: no HSTS');
    }
    const page = await fetch(`${server.url}/login`);
    const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy')!)![1];
    assert.ok((await page.text()).includes(`nonce="${nonce}"`), 'Next’s scripts carry the nonce');
    const https = await fetch(`${server.url}/login`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.match(https.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
  });
});

describe('without BREAKWATER_TRUST_PROXY', () => {
  test('callers are keyed by their socket address; a client’s own x-forwarded-for is ignored', async () => {
    const direct = await startBreakwater(database.url);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) {
        const response = await fetch(`${direct.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.18.0.${i}` },
          body: JSON.stringify({ username: `spoofer-${i}`, password: 'x' }),
        });
        statuses.push(response.status);
      }
      assert.deepEqual(statuses, [...Array(20).fill(401), 429]);
      // The socket's address is what counts: another loopback address is another caller.
      const otherPeer = new Agent({ localAddress: '127.0.0.2' });
      try {
        const response = await undiciFetch(`${direct.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
          dispatcher: otherPeer,
        });
        assert.equal(response.status, 200);
      } finally {
        await otherPeer.close();
      }
    } finally {
      await direct.stop();
    }
  });
});
