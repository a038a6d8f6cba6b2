import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { type DemoUpstream, startDemoUpstream } from '@/demo/upstream';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type ApiAnswer, type BreakwaterServer, callApi, eventually, signIn, startBreakwater } from '../support/server';

// Polling syncs on the production server (SQLite, or PostgreSQL with BREAKWATER_TEST_PROVIDER=postgresql),
// polling the demo upstream's /events feed (frozen at FEED_SIZE events) and a cursor feed served here.
const FEED_SIZE = 600;
const FEED_KEY = 'sk_sync_feed_secret_71c0e4';
const CURSOR_KEY = 'sk_sync_cursor_secret_52ab9d';
const SINK_SECRET = 'whsec_c3luYy10ZXN0LXNpbmstc2VjcmV0LTEyMzQ1Njc4OTA=';
const serverEnv = {
  BREAKWATER_SECRET_SYNC_FEED_KEY: FEED_KEY,
  BREAKWATER_SECRET_SYNC_CURSOR_KEY: CURSOR_KEY,
  BREAKWATER_SECRET_SYNC_SINK: SINK_SECRET,
  // A killed runner's syncs are taken over 3 s later; due syncs are looked for every 100 ms.
  BREAKWATER_SYNC_LEASE_MS: '3000',
  BREAKWATER_SYNC_POLL_MS: '100',
};

let database: TestDatabase;
let server: BreakwaterServer;
let upstream: DemoUpstream;
let cookie: string;

function api(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  return callApi(server, cookie, path, init);
}

async function createSync(body: Record<string, unknown>) {
  const created = await api('/api/syncs', { method: 'POST', body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.sync;
}

/** Every delivered item id, in delivery order, read through the items API's cursor. */
async function deliveredIds(slug: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor = '';
  for (;;) {
    const page = await api(`/api/syncs/${slug}/items?order=asc&limit=97${cursor && `&cursor=${cursor}`}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    ids.push(...page.body.items.map((item: { id: string }) => item.id));
    if (!page.body.next) return ids;
    cursor = page.body.next;
  }
}

const feedIds = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `evt_${String(from + i).padStart(8, '0')}`);

async function setFault(fault: Record<string, unknown>) {
  const response = await fetch(`${upstream.url}/__control/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  assert.equal(response.status, 200);
}

const clearFaults = () => fetch(`${upstream.url}/__control/faults`, { method: 'DELETE' });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

/**
 * A cursor-paginated feed unlike the demo one: opaque cursors, items under data.events with their id and
 * time under other names, `paging.after` null on the last page, and an API key in a header.
 */
const cursorFeed = {
  events: Array.from({ length: 23 }, (_, i) => ({
    event_id: `ce_${i}`,
    meta: { ts: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() },
  })),
  keys: [] as (string | undefined)[],
  server: createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://feed.invalid');
    cursorFeed.keys.push(req.headers['x-api-key'] as string | undefined);
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/v2/broken') return send(200, { data: {}, paging: { after: null } });
    const cursor = url.searchParams.get('cursor');
    const offset = cursor ? JSON.parse(Buffer.from(cursor, 'base64url').toString()).o : 0;
    const size = Number(url.searchParams.get('page_size'));
    const events = cursorFeed.events.slice(offset, offset + size);
    const end = offset + events.length;
    const after = end < cursorFeed.events.length ? Buffer.from(JSON.stringify({ o: end })).toString('base64url') : null;
    send(200, { data: { events }, paging: { after } });
  }),
};
let cursorFeedUrl: string;

before(async () => {
  database = await createTestDatabase();
  upstream = await startDemoUpstream({ eventsPerSec: 0, eventsBacklog: FEED_SIZE });
  cursorFeedUrl = await listen(cursorFeed.server);
  server = await startBreakwater(database.url, serverEnv);
  cookie = await signIn(server);
  const policy = { retry: { maxRetries: 0 }, rateLimit: { enabled: false }, breaker: { dryRun: true } };
  for (const integration of [
    {
      name: 'Feed',
      slug: 'feed',
      baseUrl: upstream.url,
      authScheme: 'bearer',
      secretEnv: 'BREAKWATER_SECRET_SYNC_FEED_KEY',
      policy,
    },
    {
      name: 'Cursor feed',
      slug: 'cursor-feed',
      baseUrl: `${cursorFeedUrl}/v2`,
      authScheme: 'header',
      authHeader: 'x-api-key',
      secretEnv: 'BREAKWATER_SECRET_SYNC_CURSOR_KEY',
      policy,
    },
  ]) {
    const created = await api('/api/integrations', { method: 'POST', body: integration });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
});

after(async () => {
  await server?.stop();
  await upstream?.close();
  cursorFeed.server.close();
  await database?.drop();
});

describe('bad input gets a 400 naming the field, and creates nothing', () => {
  const valid = { slug: 'bad-input', integration: 'feed', path: '/events', intervalSeconds: 60 };
  const cases: [string, unknown, string][] = [
    ['unknown integration', { ...valid, integration: 'nope' }, 'integration'],
    ['interval below 5 s', { ...valid, intervalSeconds: 2 }, 'intervalSeconds'],
    ['interval above a day', { ...valid, intervalSeconds: 86_401 }, 'intervalSeconds'],
    ['interval not a number', { ...valid, intervalSeconds: 'often' }, 'intervalSeconds'],
    ['fractional interval', { ...valid, intervalSeconds: 7.5 }, 'intervalSeconds'],
    ['path climbing above the base', { ...valid, path: '/../admin' }, 'path'],
    ['absolute URL as path', { ...valid, path: 'http://evil.example/x' }, 'path'],
    [
      'webhook sink without URL',
      { ...valid, sink: 'webhook', sinkSecretEnv: 'BREAKWATER_SECRET_SYNC_SINK' },
      'sinkUrl',
    ],
    [
      'webhook sink without secret variable',
      { ...valid, sink: 'webhook', sinkUrl: 'https://x.example/h' },
      'sinkSecretEnv',
    ],
    [
      'non-http sink URL',
      { ...valid, sink: 'webhook', sinkUrl: 'ftp://x.example/h', sinkSecretEnv: 'BREAKWATER_SECRET_SYNC_SINK' },
      'sinkUrl',
    ],
    [
      'secret as a value, not a variable name',
      { ...valid, sink: 'webhook', sinkUrl: 'https://x.example/h', sinkSecretEnv: 'whsec_abc' },
      'sinkSecretEnv',
    ],
    ['sink URL on the events sink', { ...valid, sinkUrl: 'https://x.example/h' }, 'sinkUrl'],
    ['unknown sink', { ...valid, sink: 'kafka' }, 'sink'],
    ['unknown mode', { ...valid, mode: 'offset' }, 'mode'],
    ['page size 0', { ...valid, pageSize: 0 }, 'pageSize'],
    ['items path that is not a JSON path', { ...valid, itemsField: 'data..items' }, 'itemsField'],
    ['bad slug', { ...valid, slug: 'Bad Slug' }, 'slug'],
    ['unknown field (a typo)', { ...valid, intervalSecs: 60 }, 'intervalSecs'],
    ['missing path', { slug: 'bad-input', integration: 'feed' }, 'path'],
  ];
  for (const [what, body, field] of cases) {
    test(`${what}: 400 naming ${field}`, async () => {
      const response = await api('/api/syncs', { method: 'POST', body });
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.field, field, JSON.stringify(response.body));
      assert.match(response.body.error, new RegExp(field));
    });
  }

  test('malformed JSON: 400 naming the body', async () => {
    const response = await api('/api/syncs', { method: 'POST', body: '{"slug": "bad-input",' });
    assert.equal(response.status, 400);
    assert.equal(response.body.field, '(body)');
  });

  test('none of them created a sync', async () => {
    assert.equal((await api('/api/syncs/bad-input')).status, 404);
    assert.deepEqual((await api('/api/syncs')).body.syncs, []);
  });

  test('a duplicate slug is a 409; a bad update is a 400 and changes nothing', async () => {
    await createSync({ ...valid, enabled: false });
    const duplicate = await api('/api/syncs', { method: 'POST', body: valid });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.field, 'slug');
    for (const [patch, field] of [
      [{ intervalSeconds: 1 }, 'intervalSeconds'],
      [{ integration: 'nope' }, 'integration'],
      [{ sink: 'webhook' }, 'sinkUrl'],
      [{ every: '5m' }, 'every'],
      [{ path: '/a/../../b' }, 'path'],
    ] as const) {
      const response = await api('/api/syncs/bad-input', { method: 'PATCH', body: patch });
      assert.equal(response.status, 400, JSON.stringify(patch));
      assert.equal(response.body.field, field, JSON.stringify(response.body));
    }
    const stored = (await api('/api/syncs/bad-input')).body.sync;
    assert.equal(stored.intervalSeconds, 60);
    assert.equal(stored.integration, 'feed');
    assert.equal(stored.sink, 'events');
    assert.equal(stored.path, '/events');
    assert.equal(
      (await api('/api/syncs/bad-input/run', { method: 'POST' })).status,
      409,
      'a disabled sync does not run',
    );
    assert.equal((await api('/api/syncs/bad-input', { method: 'DELETE' })).status, 204);
    assert.equal((await api('/api/syncs/bad-input/runs')).status, 404);
  });
});

test('cursor pagination through JSON paths, maxPages per run, credentials injected, and new items only on the next run', async () => {
  const sync = await createSync({
    slug: 'cursor',
    integration: 'cursor-feed',
    path: '/events',
    mode: 'cursor',
    limitParam: 'page_size',
    pageSize: 5,
    maxPages: 2,
    itemsField: 'data.events',
    nextField: 'paging.after',
    idField: 'event_id',
    timeField: 'meta.ts',
    intervalSeconds: 3600,
  });
  assert.equal(sync.cursorParam, 'cursor', 'the checkpoint parameter defaults to the mode');
  const all = cursorFeed.events.map((e) => e.event_id);
  const caughtUp = await eventually('the cursor feed to be read to its end', async () => {
    const { body } = await api('/api/syncs/cursor');
    return body.sync.itemsDelivered === 23 && body.sync.status === 'ok' ? body.sync : undefined;
  });
  assert.deepEqual(await deliveredIds('cursor'), all);
  assert.equal(caughtUp.lastItemAt, cursorFeed.events[22].meta.ts, 'lag is measured from the newest item');
  assert.equal(caughtUp.lag.basis, 'newest-item');
  const runs = (await api('/api/syncs/cursor/runs')).body.runs.reverse();
  // 23 items in pages of 5, at most 2 pages a run: 10, 10, then the last 3 (whose next cursor is null).
  assert.deepEqual(
    runs.map((run: { pages: number; items: number; state: string }) => [run.state, run.pages, run.items]),
    [
      ['done', 2, 10],
      ['done', 2, 10],
      ['done', 1, 3],
    ],
  );
  assert.ok(cursorFeed.keys.length >= 5 && cursorFeed.keys.every((key) => key === CURSOR_KEY));

  // The feed grows; "run now" asks from the last cursor again and stores only what is new.
  cursorFeed.events.push(
    { event_id: 'ce_23', meta: { ts: '2026-01-02T00:00:00.000Z' } },
    { event_id: 'ce_24', meta: { ts: '2026-01-02T00:01:00.000Z' } },
  );
  assert.equal((await api('/api/syncs/cursor/run', { method: 'POST' })).status, 202);
  await eventually('the two new items', async () => {
    const { body } = await api('/api/syncs/cursor');
    return body.sync.itemsDelivered === 25 && !body.sync.running ? true : undefined;
  });
  assert.deepEqual(await deliveredIds('cursor'), [...all, 'ce_23', 'ce_24']);
  const newest = (await api('/api/syncs/cursor/items?limit=1')).body;
  assert.equal(newest.items[0].id, 'ce_24', 'items come newest first by default');
  assert.deepEqual(newest.items[0].payload, { event_id: 'ce_24', meta: { ts: '2026-01-02T00:01:00.000Z' } });
  assert.equal((await api('/api/syncs/cursor', { method: 'DELETE' })).status, 204);
});

test('webhook sink: every item arrives signed, and a page redelivered after a 500 has the same webhook-id while the checkpoint waits', async () => {
  const verifier = new Webhook(SINK_SECRET);
  const deliveries: { id: string; accepted: boolean; items: string[]; checkpointMeanwhile?: string }[] = [];
  const receiver = createServer(async (req, res) => {
    const body = await readBody(req);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    // biome-ignore lint/suspicious/noExplicitAny: the signed payload, read field by field
    let payload: any;
    try {
      payload = verifier.verify(body, headers);
    } catch {
      res.writeHead(401).end();
      deliveries.push({ id: headers['webhook-id'], accepted: false, items: [] });
      return;
    }
    const items = payload.data.items.map((item: { id: string }) => item.id);
    const first = deliveries.length === 0;
    const delivery = { id: headers['webhook-id'], accepted: !first, items } as (typeof deliveries)[number];
    if (deliveries.length === 1) delivery.checkpointMeanwhile = (await api('/api/syncs/hooks')).body.sync.checkpoint;
    deliveries.push(delivery);
    res.writeHead(first ? 500 : 204).end();
  });
  const receiverUrl = await listen(receiver);
  try {
    const created = await createSync({
      slug: 'hooks',
      integration: 'feed',
      path: '/events',
      pageSize: 15,
      intervalSeconds: 5,
      sink: 'webhook',
      sinkUrl: `${receiverUrl}/hooks/feed`,
      sinkSecretEnv: 'BREAKWATER_SECRET_SYNC_SINK',
      checkpoint: '560',
    });
    assert.equal(created.sinkSecretEnv, 'BREAKWATER_SECRET_SYNC_SINK');
    assert.equal(created.sinkSecretConfigured, true);
    assert.ok(!JSON.stringify(created).includes(SINK_SECRET.slice(6)), 'the secret is never shown');
    const sync = await eventually('the feed delivered to its end', async () => {
      const { body } = await api('/api/syncs/hooks');
      return body.sync.checkpoint === String(FEED_SIZE) && !body.sync.running ? body.sync : undefined;
    });
    assert.ok(
      deliveries.every((d) => d.items.length > 0),
      'every delivery verified with the standardwebhooks package',
    );
    const [refused, redelivered] = deliveries;
    assert.equal(refused.accepted, false);
    assert.equal(redelivered.id, refused.id, 'the same page is redelivered under the same webhook-id');
    assert.deepEqual(redelivered.items, refused.items);
    assert.equal(redelivered.checkpointMeanwhile, '560', 'the checkpoint did not move while the page was refused');
    const accepted = deliveries.filter((d) => d.accepted);
    assert.deepEqual(
      accepted.flatMap((d) => d.items),
      feedIds(560, FEED_SIZE),
      'every item once, in order',
    );
    assert.equal(new Set(accepted.map((d) => d.id)).size, accepted.length, 'one id per page');
    assert.equal(sync.itemsDelivered, 40);
    assert.equal(sync.lastError, null);
    assert.equal((await api('/api/syncs/hooks', { method: 'DELETE' })).status, 204);
  } finally {
    receiver.close();
  }
});

test('upstream failure and malformed pages: the error is shown, the checkpoint stays, and the next run recovers', async () => {
  await setFault({ route: '/events', mode: 'fail', failRate: 1, failStatus: 503 });
  try {
    await createSync({ slug: 'flaky', integration: 'feed', path: '/events', intervalSeconds: 5, checkpoint: '500' });
    const failing = await eventually('the failure to show on the sync', async () => {
      const { body } = await api('/api/syncs/flaky');
      return body.sync.lastError ? body.sync : undefined;
    });
    assert.match(failing.lastError, /503/);
    assert.equal(failing.status, 'failing');
    assert.equal(failing.checkpoint, '500');
    assert.equal(failing.itemsDelivered, 0);
    const [run] = (await api('/api/syncs/flaky/runs')).body.runs;
    assert.equal(run.state, 'failed');
    assert.match(run.error, /503/);
    // The poll went through the integration's client: it is in the call log like a gateway call.
    const calls = (await api('/api/calls?integration=feed&status=503')).body.calls;
    assert.ok(calls.some((call: { route: string }) => call.route === '/events'));
  } finally {
    await clearFaults();
  }
  const recovered = await eventually('the next run to recover', async () => {
    const { body } = await api('/api/syncs/flaky');
    return body.sync.lastError === null && body.sync.checkpoint === String(FEED_SIZE) ? body.sync : undefined;
  });
  assert.equal(recovered.itemsDelivered, 100);
  assert.deepEqual(await deliveredIds('flaky'), feedIds(500, FEED_SIZE));
  assert.equal((await api('/api/syncs/flaky', { method: 'DELETE' })).status, 204);

  await createSync({
    slug: 'broken',
    integration: 'cursor-feed',
    path: '/broken',
    mode: 'cursor',
    itemsField: 'data.events',
  });
  const broken = await eventually('the malformed page to show', async () => {
    const { body } = await api('/api/syncs/broken');
    return body.sync.lastError ? body.sync : undefined;
  });
  assert.match(broken.lastError, /no items array at "data\.events"/);
  assert.equal(broken.checkpoint, null);
  assert.equal(broken.itemsDelivered, 0);
  assert.equal((await api('/api/syncs/broken', { method: 'DELETE' })).status, 204);
});

test('SIGKILL mid-run and a restart on the same database: every feed item stored once, in order, checkpoint at the end', async () => {
  // Slow pages keep a run busy long enough to be killed in the middle of it.
  await setFault({ route: '/events', mode: 'ok', latencyMs: { kind: 'uniform', min: 80, max: 120 } });
  try {
    await createSync({
      slug: 'restart',
      integration: 'feed',
      path: '/events',
      pageSize: 7,
      maxPages: 5,
      intervalSeconds: 5,
    });
    await eventually('a run in the middle of its pages', async () => {
      const { body } = await api('/api/syncs/restart/runs?limit=1');
      const [run] = body.runs;
      return run?.state === 'running' && run.pages >= 1 && run.pages <= 3 ? true : undefined;
    });
    await server.stop('SIGKILL');
    server = await startBreakwater(database.url, serverEnv);
    cookie = await signIn(server);
    const sync = await eventually('the restarted server to catch up', async () => {
      const { body } = await api('/api/syncs/restart');
      return body.sync.checkpoint === String(FEED_SIZE) && !body.sync.running ? body.sync : undefined;
    });
    assert.deepEqual(await deliveredIds('restart'), feedIds(0, FEED_SIZE), 'none missing, none twice, in feed order');
    assert.equal(sync.itemsDelivered, FEED_SIZE);
    const runs = (await api('/api/syncs/restart/runs?limit=200')).body.runs;
    assert.ok(
      runs.some((run: { state: string }) => run.state === 'interrupted'),
      'the killed run is shown as interrupted',
    );
    assert.equal(
      runs.reduce((sum: number, run: { items: number }) => sum + run.items, 0),
      FEED_SIZE,
      'the runs account for every item exactly once',
    );
  } finally {
    await clearFaults();
  }
});
