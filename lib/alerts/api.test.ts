import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, type Db } from '@/lib/db';
import { type BreakwaterServer, callApi, signIn, startBreakwater } from '@/test/support/server';

// The alert API on the production build: validation names the field and saves nothing.
let dir: string;
let server: BreakwaterServer;
let db: Db;
let cookie: string;

/** The suite's calls, with the session cookie and its Origin: a body is POSTed unless a method is given. */
const api = (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') =>
  callApi(server, cookie, path, { method, body });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bw-alerts-api-'));
  const url = `file:${join(dir, 'api.db')}`;
  server = await startBreakwater(url, { BREAKWATER_ALERT_EVAL_INTERVAL_MS: '200' });
  db = createDb(url);
  cookie = await signIn(server);
});

after(async () => {
  await db.$disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the default rules are seeded at start', async () => {
  for (let i = 0; i < 50 && (await db.alertRule.count()) < 4; i++) await sleep(100);
  const { body } = await api('/api/alerts/rules');
  assert.deepEqual(
    body.rules.map((r: { name: string; metric: string; threshold: number }) => `${r.metric} ${r.threshold}`).sort(),
    ['breaker_open 1', 'error_rate 5', 'latency_p95 1000', 'latency_p99 2000'],
  );
});

test('bad rule input gets 400 naming the field, and nothing is saved', async () => {
  const before = await db.alertRule.count();
  const valid = { name: 'Payments errors', metric: 'error_rate', threshold: 5, window: '5m', for: '1m' };
  const cases: [unknown, string][] = [
    [{ ...valid, metric: 'error_budget' }, 'metric'],
    [{ ...valid, window: '-5m' }, 'window'],
    [{ ...valid, window: -300 }, 'window'],
    [{ ...valid, threshold: 150 }, 'threshold'],
    [{ ...valid, threshold: '5%' }, 'threshold'],
    [{ ...valid, metric: 'rate_limit_rejections', threshold: 2.5 }, 'threshold'],
    [{ ...valid, metric: 'breaker_open', threshold: 3 }, 'threshold'],
    [{ ...valid, name: '' }, 'name'],
    [{ ...valid, noData: 'nothing' }, 'noData'],
    ['{"name": ', '(body)'],
  ];
  for (const [input, field] of cases) {
    const { status, body } = await api('/api/alerts/rules', input);
    assert.equal(status, 400, JSON.stringify(input));
    assert.equal(body.field, field, JSON.stringify(body));
    assert.match(body.error, new RegExp(`invalid ${field.replace(/[()]/g, '\\$&')}|malformed`));
  }
  assert.equal(await db.alertRule.count(), before);

  const created = await api('/api/alerts/rules', valid);
  assert.equal(created.status, 201);
  assert.equal((await api('/api/alerts/rules', valid)).body.field, 'name', 'a duplicate name is a 409 on name');
  const id = created.body.rule.id;
  const bad = await api(`/api/alerts/rules/${id}`, { ...valid, threshold: -1 }, 'PUT');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.field, 'threshold');
  assert.equal((await api(`/api/alerts/rules/${id}`)).body.rule.threshold, 5);
});

test('channels never take a secret, silences need a matcher, preview validates the rule', async () => {
  const channel = await api('/api/alerts/channels', {
    name: 'ops',
    kind: 'webhook',
    url: 'http://127.0.0.1:9/hook',
    secretEnv: 'whsec_not_a_variable_name',
  });
  assert.equal(channel.status, 400);
  assert.equal(channel.body.field, 'secretEnv');
  const slack = await api('/api/alerts/channels', {
    name: 'slack',
    kind: 'slack',
    url: 'https://hooks.slack.com/services/T0/B0/secret',
    secretEnv: 'BREAKWATER_SECRET_SLACK_URL',
  });
  assert.equal(slack.body.field, 'url');
  const silence = await api('/api/alerts/silences', {
    comment: 'everything',
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + 60_000).toISOString(),
  });
  assert.equal(silence.body.field, 'matchers');
  const preview = await api('/api/alerts/preview', { rule: { name: 'x', metric: 'latency_p95', threshold: -2 } });
  assert.equal(preview.body.field, 'rule.threshold');
  assert.equal(await db.alertChannel.count(), 0);
  assert.equal(await db.alertSilence.count(), 0);
});

test('the firing list answers for the overview, and only to signed-in callers', async () => {
  assert.deepEqual((await api('/api/alerts/firing')).body, { firing: [] });
  const anonymous = await fetch(`${server.url}/api/alerts/firing`);
  assert.equal(anonymous.status, 401);
});
