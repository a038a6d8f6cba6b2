import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, type Db } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type BreakwaterServer,
  callApi,
  eventually,
  PASS_THROUGH_POLICY,
  signIn,
  startBreakwater,
} from '../support/server';
import { type KeyedUpstream, startKeyedUpstream } from './support';

// Rotation without downtime through the production server: traffic at a steady rate through the gateway
// to an upstream that accepts key A; the operator adds B as the secondary, the upstream moves to accept
// only B, then the operator makes B the primary and removes A. Not one call fails.
const KEY_A = 'rotation-key-a-0c9d';
const KEY_B = 'rotation-key-b-7e21';
let database: TestDatabase;
let server: BreakwaterServer;
let db: Db;
let cookie: string;
let token: string;
let upstream: KeyedUpstream;

before(async () => {
  database = await createTestDatabase();
  upstream = await startKeyedUpstream([KEY_A]);
  server = await startBreakwater(database.url, {
    BREAKWATER_SECRET_ROTATION_A: KEY_A,
    BREAKWATER_SECRET_ROTATION_B: KEY_B,
  });
  db = createDb(database.url);
  cookie = await signIn(server);
  token = (await callApi(server, cookie, '/api/tokens', { method: 'POST', body: { name: 'rotation' } })).body.token;
});

after(async () => {
  await server?.stop();
  await db?.$disconnect();
  await upstream?.close();
  await database?.drop();
});

/** Callers sending one request after another with a short pause, until stopped; every status kept. */
function steadyTraffic(callers: number) {
  const statuses: number[] = [];
  let running = true;
  const loops = Array.from({ length: callers }, async (_, caller) => {
    for (let i = 0; running; i++) {
      const response = await fetch(`${server.url}/api/gw/rotating/orders/${caller}-${i}`, {
        method: i % 2 ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: i % 2 ? JSON.stringify({ caller, i }) : undefined,
      });
      await response.arrayBuffer();
      statuses.push(response.status);
      await sleep(5);
    }
  });
  return {
    statuses,
    /** resolves once at least `n` more calls were answered */
    calls: (n: number) => {
      const target = statuses.length + n;
      return eventually(`${n} more calls`, () => (statuses.length >= target ? true : undefined));
    },
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** The integration page's text, tags and React's text separators removed. */
async function pageText(): Promise<string> {
  const response = await fetch(`${server.url}/integrations/rotating`, { headers: { cookie } });
  assert.equal(response.status, 200);
  return (await response.text()).replace(/<!-- -->/g, '').replace(/<[^>]+>/g, ' ');
}

test('swapping the primary secret mid-traffic fails no call, and the page shows which key served', async () => {
  const created = await callApi(server, cookie, '/api/integrations', {
    method: 'POST',
    body: {
      name: 'Rotating',
      slug: 'rotating',
      baseUrl: upstream.url,
      authScheme: 'bearer',
      secretEnv: 'BREAKWATER_SECRET_ROTATION_A',
      policy: PASS_THROUGH_POLICY,
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));

  const traffic = steadyTraffic(4);
  try {
    await traffic.calls(40);
    // 1. The new key B becomes the secondary.
    const secondary = await callApi(server, cookie, '/api/integrations/rotating', {
      method: 'PATCH',
      body: { secondarySecretEnv: 'BREAKWATER_SECRET_ROTATION_B' },
    });
    assert.equal(secondary.status, 200, JSON.stringify(secondary.body));
    assert.equal(secondary.body.integration.secondarySecretEnv, 'BREAKWATER_SECRET_ROTATION_B');
    await traffic.calls(40);
    // 2. The provider revokes A: only B works from now on.
    upstream.accept([KEY_B]);
    await traffic.calls(80);

    // The page tells the operator the secondary is serving.
    const text = await eventually('secondary use on the integration page', async () => {
      const body = await pageText();
      const served = /served by primary: (\d+), secondary: (\d+) in the last 24 h/.exec(body);
      return served && Number(served[2]) > 0 ? body : undefined;
    });
    assert.match(text, /last secondary use at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z][\w+-]*/);

    // 3. B becomes the primary and A is removed.
    const swapped = await callApi(server, cookie, '/api/integrations/rotating', {
      method: 'PATCH',
      body: { secretEnv: 'BREAKWATER_SECRET_ROTATION_B', secondarySecretEnv: null },
    });
    assert.equal(swapped.status, 200, JSON.stringify(swapped.body));
    const sentBefore = upstream.seen.length;
    await traffic.calls(80);
    // Calls already under way when the change landed may still try A first; after them, only B is sent.
    assert.ok(upstream.seen.slice(sentBefore + 8).every((s) => s.credential === KEY_B));
  } finally {
    await traffic.stop();
  }
  const failed = traffic.statuses.filter((s) => s !== 200);
  assert.equal(traffic.statuses.length >= 240, true);
  assert.deepEqual(failed, [], `${failed.length} of ${traffic.statuses.length} calls failed`);

  const integration = await db.integration.findFirstOrThrow({ where: { slug: 'rotating' } });
  const rollups = await eventually('every call in the rollups', async () => {
    const sums = await db.metricRollup.aggregate({
      where: { integrationId: integration.id, bucketSeconds: 60 },
      _sum: { count: true, secondaryCredential: true },
    });
    return sums._sum.count === traffic.statuses.length ? sums._sum : undefined;
  });
  assert.ok((rollups.secondaryCredential ?? 0) > 0, 'the secondary served the calls after the old key was revoked');
  // Each call the secondary served is counted, and kept in the call log (the page's "last secondary use").
  await eventually('every secondary call in the call log', async () => {
    const n = await db.callLog.count({ where: { integrationId: integration.id, credential: 'secondary' } });
    return n === rollups.secondaryCredential ? n : undefined;
  });
  const stored = JSON.stringify(await db.callLog.findMany({ include: { attempts: true } }));
  assert.ok(!stored.includes(KEY_A) && !stored.includes(KEY_B), 'no key in the call log');
  assert.ok(!server.output().includes(KEY_A) && !server.output().includes(KEY_B), 'no key in the logs');
});
