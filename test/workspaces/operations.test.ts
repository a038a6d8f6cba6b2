import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { bumpConfigVersion, type Db } from '@/lib/db';
import type { Role } from '@/lib/model';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type ApiAnswer,
  type BreakwaterServer,
  callApi,
  eventually,
  PASS_THROUGH_POLICY,
  startBreakwater,
} from '../support/server';
import { createMember, createWorkspace, openDb, type TestMember } from '../support/workspaces';
import { Receiver, whsec } from '../webhooks/support';

// Operations scoped per workspace (brief 16B): alerts, jobs, dead letters, bulk replay, batch, syncs and
// webhooks. Two workspaces on one production server; members of A act, B's objects must stay invisible to
// them (404 by id or slug, absent from lists and counts), each route refuses a role below its need (403),
// the evaluator keeps each workspace's rules, integrations and channels apart, and an inbound webhook
// lands in the workspace its URL names (the older URL still reaches the default workspace).

const SECRETS = {
  BREAKWATER_SECRET_OPS_WH_A: whsec(),
  BREAKWATER_SECRET_OPS_WH_B: whsec(),
  BREAKWATER_SECRET_OPS_WH_DEFAULT: whsec(),
  BREAKWATER_SECRET_OPS_ALERT_A: whsec(),
  BREAKWATER_SECRET_OPS_ALERT_B: whsec(),
};

let database: TestDatabase;
let server: BreakwaterServer;
let db: Db;
const receiver = new Receiver();
let A: { id: string; slug: string };
let B: { id: string; slug: string };
const a = {} as Record<'viewer' | 'operator' | 'editor' | 'admin', TestMember>;
let bEditor: TestMember;
let adminCookie: TestMember;
/** B's objects, by kind: what a member of A must never reach */
const b = {} as {
  ruleId: string;
  channelId: string;
  silenceId: string;
  jobId: string;
  deadId: string;
  runId: string;
  eventId: string;
};

const api = (member: { cookie: string }, path: string, init: { method?: string; body?: unknown } = {}) =>
  callApi(server, member.cookie, path, init);

async function created(answer: ApiAnswer, what: string) {
  assert.ok(answer.status === 201 || answer.status === 202, `${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** An integration of the workspace, in front of the receiver (made directly: integrations are 16A's routes). */
async function integration(workspaceId: string, slug: string) {
  await db.integration.create({
    data: {
      workspaceId,
      slug,
      name: slug,
      baseUrl: `${receiver.url}/${slug}`,
      policy: JSON.stringify(PASS_THROUGH_POLICY),
    },
  });
}

/** A dead letter of the integration, as the worker leaves one. */
async function deadLetter(workspaceId: string, integrationSlug: string): Promise<string> {
  const { id: integrationId } = await db.integration.findFirstOrThrow({
    where: { workspaceId, slug: integrationSlug },
  });
  const id = randomUUID();
  await db.job.create({
    data: {
      id,
      workspaceId,
      integrationId,
      integrationSlug,
      state: 'dead',
      method: 'POST',
      path: '/orders',
      idempotencyKey: randomUUID(),
      maxAttempts: 1,
      attempts: 1,
      runAt: new Date(),
      finishedAt: new Date(),
      lastError: 'HTTP 500',
    },
  });
  return id;
}

function deliver(path: string, secret: string, marker: string) {
  const body = JSON.stringify({ type: 'order.paid', marker });
  const id = `msg_${marker}`;
  const at = new Date();
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
    body,
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
}

const source = (slug: string, integration: string, secretEnv: string) => ({
  name: `Orders ${slug}`,
  slug,
  integration,
  forwardPath: '/hooks',
  scheme: 'standard',
  secretEnv,
});

const rule = (name: string) => ({
  name,
  metric: 'dead_letters',
  comparator: '>=',
  threshold: 1,
  window: '1m',
  for: '0s',
  repeatInterval: '4h',
});

before(async () => {
  database = await createTestDatabase();
  await receiver.start();
  server = await startBreakwater(database.url, {
    ...SECRETS,
    BREAKWATER_CONFIG_POLL_MS: '200',
    BREAKWATER_ALERT_EVAL_INTERVAL_MS: '300',
    BREAKWATER_QUEUE_SAMPLE_MS: '300',
    BREAKWATER_JOB_POLL_MS: '50',
    BREAKWATER_JOB_BACKOFF_MS: '50',
  });
  db = openDb(database.url);
  A = await createWorkspace(db, 'a-ws');
  B = await createWorkspace(db, 'b-ws');
  for (const role of ['viewer', 'operator', 'editor', 'admin'] as const) a[role] = await createMember(db, A.id, role);
  bEditor = await createMember(db, B.id, 'editor');
  adminCookie = await createMember(db, 'default', 'admin');
  await integration(A.id, 'app-a');
  await integration(B.id, 'app-b');
  await integration('default', 'app-default');
  await bumpConfigVersion(db);

  // B's objects, made by B's editor through the API (the same names and slugs as A's below).
  b.ruleId = (
    await created(await api(bEditor, '/api/alerts/rules', { method: 'POST', body: rule('Dead') }), 'rule')
  ).rule.id;
  b.channelId = (
    await created(
      await api(bEditor, '/api/alerts/channels', {
        method: 'POST',
        body: {
          name: 'ops',
          kind: 'webhook',
          url: `${receiver.url}/alerts-b`,
          secretEnv: 'BREAKWATER_SECRET_OPS_ALERT_B',
        },
      }),
      'channel',
    )
  ).channel.id;
  b.silenceId = (
    await created(
      await api(bEditor, '/api/alerts/silences', {
        method: 'POST',
        body: {
          comment: 'maintenance',
          integration: 'app-b-nothing',
          startsAt: new Date(Date.now() + 86_400_000).toISOString(),
          endsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        },
      }),
      'silence',
    )
  ).silence.id;
  await created(
    await api(bEditor, '/api/syncs', {
      method: 'POST',
      body: { slug: 'feed', integration: 'app-b', path: '/events', intervalSeconds: 60, enabled: false },
    }),
    'sync',
  );
  await created(
    await api(bEditor, '/api/webhook-sources', {
      method: 'POST',
      body: source('src', 'app-b', 'BREAKWATER_SECRET_OPS_WH_B'),
    }),
    'source',
  );
  b.jobId = (
    await created(
      await api(bEditor, '/api/jobs', {
        method: 'POST',
        body: { integration: 'app-b', method: 'POST', path: '/b-job' },
      }),
      'job',
    )
  ).id;
  b.deadId = await deadLetter(B.id, 'app-b');
  await deadLetter(B.id, 'app-b');
  b.runId = (await created(await api(bEditor, '/api/replay/bulk', { method: 'POST', body: {} }), 'bulk replay')).run.id;

  // A's, with the same names and slugs: unique per workspace, not across them.
  await created(await api(a.editor, '/api/alerts/rules', { method: 'POST', body: rule('Dead') }), 'A rule');
  await created(
    await api(a.editor, '/api/alerts/channels', {
      method: 'POST',
      body: {
        name: 'ops',
        kind: 'webhook',
        url: `${receiver.url}/alerts-a`,
        secretEnv: 'BREAKWATER_SECRET_OPS_ALERT_A',
      },
    }),
    'A channel',
  );
  await created(
    await api(a.editor, '/api/syncs', {
      method: 'POST',
      body: { slug: 'feed', integration: 'app-a', path: '/events', intervalSeconds: 60, enabled: false },
    }),
    'A sync',
  );
  await created(
    await api(a.editor, '/api/webhook-sources', {
      method: 'POST',
      body: source('src', 'app-a', 'BREAKWATER_SECRET_OPS_WH_A'),
    }),
    'A source',
  );
  await created(
    await api(adminCookie, '/api/webhook-sources', {
      method: 'POST',
      body: source('src', 'app-default', 'BREAKWATER_SECRET_OPS_WH_DEFAULT'),
    }),
    'default source',
  );

  // A delivery to B's source: the integrations snapshot catches up within a poll.
  const delivered = await eventually('the delivery to B to be accepted', async () => {
    const answer = await deliver('/api/webhooks/b-ws/src', SECRETS.BREAKWATER_SECRET_OPS_WH_B, `b-${randomUUID()}`);
    return answer.status === 200 ? answer : undefined;
  });
  b.eventId = delivered.body.id;
});

after(async () => {
  await server?.stop();
  await receiver.close();
  await db?.$disconnect();
  await database?.drop();
});

const ROLES: Role[] = ['viewer', 'operator', 'editor', 'admin'];
const RANK = Object.fromEntries(ROLES.map((role, i) => [role, i]));

describe('roles', () => {
  // [method, path, body, least role, status when allowed]. Writes name objects that do not exist (404)
  // or send a body that fails validation (400), so the table changes nothing and runs in any order.
  const missing = randomUUID();
  const table: [string, string, unknown, Role, number][] = [
    ['GET', '/api/alerts/rules', undefined, 'viewer', 200],
    ['GET', '/api/alerts/channels', undefined, 'viewer', 200],
    ['GET', '/api/alerts/silences', undefined, 'viewer', 200],
    ['GET', '/api/alerts/notifications', undefined, 'viewer', 200],
    ['GET', '/api/alerts/firing', undefined, 'viewer', 200],
    ['GET', '/api/alerts/history', undefined, 'viewer', 200],
    ['POST', '/api/alerts/preview', { rule: { name: 'x' } }, 'viewer', 400],
    ['POST', '/api/alerts/rules', { name: '' }, 'editor', 400],
    ['PUT', `/api/alerts/rules/${missing}`, rule('x'), 'editor', 404],
    ['DELETE', `/api/alerts/rules/${missing}`, undefined, 'editor', 404],
    ['POST', '/api/alerts/channels', { name: '' }, 'editor', 400],
    ['DELETE', `/api/alerts/channels/${missing}`, undefined, 'editor', 404],
    ['POST', '/api/alerts/silences', { comment: '' }, 'operator', 400],
    ['DELETE', `/api/alerts/silences/${missing}`, undefined, 'operator', 404],
    ['GET', '/api/jobs', undefined, 'viewer', 200],
    ['GET', '/api/jobs/stats', undefined, 'viewer', 200],
    ['POST', '/api/jobs', { integration: 'app-a' }, 'operator', 400],
    ['POST', '/api/batch', { integration: 'app-a' }, 'operator', 400],
    ['GET', '/api/dead-letters', undefined, 'viewer', 200],
    ['POST', `/api/dead-letters/${missing}/replay`, undefined, 'operator', 404],
    ['DELETE', `/api/dead-letters/${missing}`, undefined, 'operator', 404],
    ['POST', '/api/dead-letters/replay', {}, 'operator', 400],
    ['POST', '/api/dead-letters/discard', {}, 'operator', 400],
    ['POST', '/api/replay/bulk', { concurrency: 0 }, 'operator', 400],
    ['POST', `/api/replay/bulk/${missing}/cancel`, undefined, 'operator', 404],
    ['GET', '/api/syncs', undefined, 'viewer', 200],
    ['POST', '/api/syncs', { slug: '' }, 'editor', 400],
    ['PATCH', `/api/syncs/${missing}`, { enabled: true }, 'editor', 404],
    ['DELETE', `/api/syncs/${missing}`, undefined, 'editor', 404],
    ['POST', `/api/syncs/${missing}/run`, undefined, 'operator', 404],
    ['GET', '/api/webhook-sources', undefined, 'viewer', 200],
    ['POST', '/api/webhook-sources', { slug: '' }, 'editor', 400],
    ['PATCH', `/api/webhook-sources/${missing}`, { name: 'x' }, 'editor', 404],
    ['DELETE', `/api/webhook-sources/${missing}`, undefined, 'editor', 404],
    ['GET', '/api/webhook-events', undefined, 'viewer', 200],
    ['POST', `/api/webhook-events/${missing}/replay`, {}, 'operator', 404],
    ['POST', '/api/webhook-events/replay', { filter: { nope: 1 } }, 'operator', 400],
  ];

  test('each route answers a role below its need 403 and the others as it would anyone', async () => {
    const failures: string[] = [];
    for (const [method, path, body, need, allowed] of table)
      for (const role of ROLES) {
        const expected = RANK[role] >= RANK[need] ? allowed : 403;
        const { status, body: answer } = await api(a[role as keyof typeof a], path, { method, body });
        if (status !== expected)
          failures.push(`${role} ${method} ${path}: ${status}, expected ${expected} (${JSON.stringify(answer)})`);
      }
    assert.deepEqual(failures, []);
  });
});

describe('isolation', () => {
  test("B's ids and slugs are 404 on every route for a member of A, and change nothing", async () => {
    const reads = [
      `/api/alerts/rules/${b.ruleId}`,
      `/api/jobs/${b.jobId}`,
      `/api/dead-letters/${b.deadId}`,
      `/api/replay/bulk/${b.runId}`,
      `/api/webhook-events/${b.eventId}`,
      '/api/jobs/stats?integration=app-b',
      `/api/jobs/stats/series?integration=app-b&from=${new Date(Date.now() - 3_600_000).toISOString()}`,
    ];
    const writes: [string, string, unknown][] = [
      ['PUT', `/api/alerts/rules/${b.ruleId}`, rule('Taken over')],
      ['DELETE', `/api/alerts/rules/${b.ruleId}`, undefined],
      ['DELETE', `/api/alerts/channels/${b.channelId}`, undefined],
      ['DELETE', `/api/alerts/silences/${b.silenceId}`, undefined],
      ['POST', `/api/dead-letters/${b.deadId}/replay`, undefined],
      ['DELETE', `/api/dead-letters/${b.deadId}`, undefined],
      ['POST', `/api/replay/bulk/${b.runId}/cancel`, undefined],
      ['POST', `/api/webhook-events/${b.eventId}/replay`, {}],
    ];
    // A has a sync and a source "feed"/"src" of its own: B's are reached only through ids, so a slug of
    // B's alone is tried through a slug A does not have.
    await created(
      await api(bEditor, '/api/syncs', {
        method: 'POST',
        body: { slug: 'only-b', integration: 'app-b', path: '/events', intervalSeconds: 60, enabled: false },
      }),
      'sync only B has',
    );
    await created(
      await api(bEditor, '/api/webhook-sources', {
        method: 'POST',
        body: source('only-b', 'app-b', 'BREAKWATER_SECRET_OPS_WH_B'),
      }),
      'source only B has',
    );
    for (const path of ['/api/syncs/only-b', '/api/syncs/only-b/runs', '/api/syncs/only-b/items']) reads.push(path);
    reads.push(
      '/api/webhook-sources/only-b',
      `/api/webhook-sources/only-b/counts?from=${new Date(Date.now() - 3_600_000).toISOString()}`,
    );
    writes.push(
      ['PATCH', '/api/syncs/only-b', { enabled: true }],
      ['POST', '/api/syncs/only-b/run', undefined],
      ['DELETE', '/api/syncs/only-b', undefined],
      ['PATCH', '/api/webhook-sources/only-b', { name: 'mine' }],
      ['DELETE', '/api/webhook-sources/only-b', undefined],
    );
    const failures: string[] = [];
    for (const path of reads) {
      const { status } = await api(a.admin, path);
      if (status !== 404) failures.push(`GET ${path}: ${status}`);
    }
    for (const [method, path, body] of writes) {
      const { status } = await api(a.admin, path, { method, body });
      if (status !== 404) failures.push(`${method} ${path}: ${status}`);
    }
    // jobs and batches naming B's integration: as if it did not exist
    for (const path of ['/api/jobs', '/api/batch']) {
      const body =
        path === '/api/jobs'
          ? { integration: 'app-b', method: 'POST', path: '/x' }
          : { integration: 'app-b', items: [{ method: 'GET', path: '/x' }] };
      const { status, body: answer } = await api(a.admin, path, { method: 'POST', body });
      if (status !== 400 || answer.field !== 'integration') failures.push(`POST ${path}: ${status}`);
    }
    // bulk selections of B's dead letters by id move none of them
    for (const path of ['/api/dead-letters/replay', '/api/dead-letters/discard']) {
      const { status, body } = await api(a.admin, path, { method: 'POST', body: { ids: [b.deadId] } });
      if (status !== 200 || (body.requeued ?? body.discarded) !== 0)
        failures.push(`POST ${path}: ${JSON.stringify(body)}`);
    }
    assert.deepEqual(failures, []);
    // nothing of B's changed
    assert.equal((await db.job.findUniqueOrThrow({ where: { id: b.deadId } })).state, 'dead');
    assert.equal((await db.alertRule.findUniqueOrThrow({ where: { id: b.ruleId } })).name, 'Dead');
    assert.ok(await db.alertChannel.findUnique({ where: { id: b.channelId } }));
    assert.ok(await db.alertSilence.findUnique({ where: { id: b.silenceId } }));
    assert.ok(await db.sync.findFirst({ where: { workspaceId: B.id, slug: 'only-b' } }));
    assert.ok(await db.webhookSource.findFirst({ where: { workspaceId: B.id, slug: 'only-b' } }));
    assert.equal((await db.replayRun.findUniqueOrThrow({ where: { id: b.runId } })).workspaceId, B.id);
  });

  test("lists and counts hold the workspace's own objects only", async () => {
    const { body: rules } = await api(a.viewer, '/api/alerts/rules');
    assert.deepEqual(
      rules.rules.map((r: { name: string }) => r.name),
      ['Dead'],
    );
    assert.ok(!rules.rules.some((r: { id: string }) => r.id === b.ruleId));
    const { body: channels } = await api(a.viewer, '/api/alerts/channels');
    assert.deepEqual(
      channels.channels.map((c: { url: string }) => c.url),
      [`${receiver.url}/alerts-a`],
    );
    assert.deepEqual((await api(a.viewer, '/api/alerts/silences')).body.silences, []);
    assert.deepEqual((await api(a.viewer, '/api/jobs')).body.jobs, []);
    assert.deepEqual((await api(a.viewer, '/api/dead-letters')).body.deadLetters, []);
    const { body: syncs } = await api(a.viewer, '/api/syncs');
    assert.deepEqual(
      syncs.syncs.map((s: { slug: string; integration: string }) => [s.slug, s.integration]),
      [['feed', 'app-a']],
    );
    const { body: sources } = await api(a.viewer, '/api/webhook-sources');
    assert.deepEqual(
      sources.sources.map((s: { slug: string; integration: string; endpoint: string }) => [
        s.slug,
        s.integration,
        s.endpoint,
      ]),
      [['src', 'app-a', '/api/webhooks/a-ws/src']],
    );
    assert.deepEqual((await api(a.viewer, '/api/webhook-events')).body.events, []);
    const { body: stats } = await api(a.viewer, '/api/jobs/stats');
    assert.equal(stats.deadLetters, 0);
    assert.equal(stats.depth, 0);
    // B's own view holds its objects
    const { body: bStats } = await api(bEditor, '/api/jobs/stats');
    assert.equal(bStats.deadLetters, 2);
    assert.equal((await api(bEditor, '/api/dead-letters')).body.deadLetters.length, 2);
    assert.equal((await api(bEditor, '/api/webhook-events')).body.events.length, 1);
    // the sampled series: B's dead letters are charted in B, never in A
    const from = new Date(Date.now() - 3_600_000).toISOString();
    await eventually('B to be sampled with its dead letters', async () => {
      const { body } = await api(bEditor, `/api/jobs/stats/series?from=${from}`);
      return body.points.some((p: { deadLetters: number | null }) => p.deadLetters === 2) ? true : undefined;
    });
    const { body: aSeries } = await api(a.viewer, `/api/jobs/stats/series?from=${from}`);
    assert.ok(aSeries.points.some((p: { deadLetters: number | null }) => p.deadLetters === 0));
    assert.ok(aSeries.points.every((p: { deadLetters: number | null }) => !p.deadLetters));
  });

  test("server pages of B's objects are not found for a member of A", async () => {
    // The (app) segment streams (loading.tsx), so a page's notFound() answers the not-found page in the
    // stream rather than a 404 status: the page is read for what it shows.
    const page = async (member: TestMember, path: string) => {
      const response = await fetch(`${server.url}${path}`, { headers: { cookie: member.cookie }, redirect: 'manual' });
      return response.text();
    };
    const cases: [string, string][] = [
      ['/syncs/only-b', '<h1>only-b</h1>'],
      [`/webhooks/events/${b.eventId}`, 'Redeliveries'],
      [`/jobs/${b.jobId}`, '← Jobs'],
    ];
    for (const [path, shown] of cases) {
      const theirs = await page(a.admin, path);
      assert.match(theirs, /Not found/, path);
      assert.ok(!theirs.includes(shown), `${path} shows nothing of B's`);
      const own = await page(bEditor, path);
      assert.ok(own.includes(shown), `${path} for B shows it`);
    }
  });
});

describe('pages by role', () => {
  const page = async (member: TestMember, path: string) =>
    (await fetch(`${server.url}${path}`, { headers: { cookie: member.cookie }, redirect: 'manual' })).text();

  test('pages offer only the controls the role may use', async () => {
    // a sync's settings form: editors only ("Run now", for operators, renders with the sync's live status)
    const viewerSync = await page(a.viewer, '/syncs/feed');
    assert.match(viewerSync, /<h1>feed<\/h1>/);
    assert.ok(!viewerSync.includes('<h2>Settings</h2>'));
    const operatorSync = await page(a.operator, '/syncs/feed');
    assert.ok(!operatorSync.includes('<h2>Settings</h2>'));
    assert.ok((await page(a.editor, '/syncs/feed')).includes('<h2>Settings</h2>'));
    // the new-rule page: editors and up
    assert.match(await page(a.operator, '/alerts/new'), /Not found/);
    assert.ok((await page(a.editor, '/alerts/new')).includes('<h1>New alert rule</h1>'));
    // enqueueing a job: operators and up; the integrations offered are the workspace's
    const viewerJobs = await page(a.viewer, '/jobs');
    const operatorJobs = await page(a.operator, '/jobs');
    assert.ok(!viewerJobs.includes('Enqueue a job'));
    assert.ok(operatorJobs.includes('Enqueue a job'));
    assert.ok(operatorJobs.includes('app-a') && !operatorJobs.includes('app-b'));
  });
});

describe('alerts', () => {
  test("a rule fires for its own workspace's queue only and notifies its own workspace's channel only", async () => {
    // B has two dead letters, A none: B's "Dead" fires, A's (same name, same scope) does not.
    await eventually("B's rule to fire", async () => {
      const { body } = await api(bEditor, '/api/alerts/notifications');
      return body.notifications.some((n: { status: string }) => n.status === 'firing') ? true : undefined;
    });
    await eventually("B's channel to be called", () =>
      receiver.requests.some((r) => r.path === '/alerts-b') ? true : undefined,
    );
    assert.deepEqual((await api(a.viewer, '/api/alerts/notifications')).body.notifications, []);
    assert.deepEqual((await api(a.viewer, '/api/alerts/firing')).body.firing, []);
    assert.deepEqual(
      receiver.requests.filter((r) => r.path === '/alerts-a'),
      [],
    );
    // Now A gets a dead letter of its own: A's rule fires and only A's channel hears of it.
    const before = receiver.requests.filter((r) => r.path === '/alerts-b').length;
    await deadLetter(A.id, 'app-a');
    await eventually("A's channel to be called", () =>
      receiver.requests.some((r) => r.path === '/alerts-a') ? true : undefined,
    );
    const toA = receiver.requests.filter((r) => r.path === '/alerts-a');
    assert.equal(toA.length, 1);
    const message = JSON.parse(toA[0].body.toString());
    assert.equal(message.type, 'alert.firing');
    assert.deepEqual(
      message.data.alerts.map((alert: { integration: string }) => alert.integration),
      ['all integrations'],
    );
    assert.equal(receiver.requests.filter((r) => r.path === '/alerts-b').length, before, 'B was not told of A');
    const { body } = await api(a.viewer, '/api/alerts/notifications');
    assert.equal(body.notifications.length, 1);
    assert.equal((await api(bEditor, '/api/alerts/notifications')).body.notifications.length, 1);
  });
});

describe('inbound webhooks', () => {
  test('a delivery to /api/webhooks/<workspace>/<source> is stored in that workspace and forwarded to its integration', async () => {
    const marker = `a-${randomUUID()}`;
    const answer = await deliver('/api/webhooks/a-ws/src', SECRETS.BREAKWATER_SECRET_OPS_WH_A, marker);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const { body: inA } = await api(a.viewer, `/api/webhook-events/${answer.body.id}`);
    assert.equal(inA.source.integration, 'app-a');
    assert.equal((await api(bEditor, `/api/webhook-events/${answer.body.id}`)).status, 404);
    await eventually('the forward to app-a', () =>
      receiver.carrying(marker).some((r) => r.path === '/app-a/hooks') ? true : undefined,
    );
    // B's event, stored in B by the delivery made at the start
    assert.equal((await api(bEditor, `/api/webhook-events/${b.eventId}`)).body.source.integration, 'app-b');
    // signed with B's secret, a delivery to A's source of the same slug is refused
    const wrong = await deliver('/api/webhooks/a-ws/src', SECRETS.BREAKWATER_SECRET_OPS_WH_B, `x-${randomUUID()}`);
    assert.equal(wrong.status, 401);
    assert.equal((await deliver('/api/webhooks/nope-ws/src', SECRETS.BREAKWATER_SECRET_OPS_WH_A, 'x')).status, 404);
  });

  test('the older /api/webhooks/<source> still reaches the default workspace', async () => {
    const marker = `d-${randomUUID()}`;
    const answer = await deliver('/api/webhooks/src', SECRETS.BREAKWATER_SECRET_OPS_WH_DEFAULT, marker);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const { status, body } = await api(adminCookie, `/api/webhook-events/${answer.body.id}`);
    assert.equal(status, 200);
    assert.equal(body.source.integration, 'app-default');
    assert.equal((await api(a.admin, `/api/webhook-events/${answer.body.id}`)).status, 404);
    await eventually('the forward to app-default', () =>
      receiver.carrying(marker).some((r) => r.path === '/app-default/hooks') ? true : undefined,
    );
    const { body: sources } = await api(adminCookie, '/api/webhook-sources');
    assert.equal(sources.sources[0].endpoint, '/api/webhooks/default/src');
  });
});

describe('audit', () => {
  test('changes are recorded in their workspace with their actor', async () => {
    const events = await db.auditEvent.findMany({ where: { workspaceId: A.id }, orderBy: { at: 'asc' } });
    const actions = new Set(events.map((e) => e.action));
    for (const action of ['rule.create', 'channel.create', 'sync.create', 'source.create'])
      assert.ok(actions.has(action), `${action} recorded in A`);
    assert.ok(events.every((e) => e.workspaceId === A.id));
    const inB = await db.auditEvent.findMany({ where: { workspaceId: B.id } });
    assert.ok(inB.some((e) => e.action === 'replay.bulk' && e.objectId === b.runId));
    assert.ok(!JSON.stringify(inB).includes(SECRETS.BREAKWATER_SECRET_OPS_ALERT_B));
  });
});
