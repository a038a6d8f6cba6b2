import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { type BreakwaterServer, signIn, startBreakwater } from '../support/server';
import { startTestUpstream, type TestUpstream } from '../telemetry/support';

// What deploy/ gives an operator, checked as they would use it: promtool accepts the scrape configuration
// and the rules, the rules' own unit tests pass, and a real Prometheus (Debian's), configured from
// deploy/prometheus/prometheus.yml with a Breakwater token, scrapes a running instance and evaluates the
// rules and the Grafana dashboard's queries on what it scraped.
const deploy = join(import.meta.dirname, '..', '..', 'deploy');
const CALLS = 20;

let database: TestDatabase;
let server: BreakwaterServer;
let upstream: TestUpstream;
let prometheus: ChildProcess | undefined;
let prometheusUrl: string;
let work: string;

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { encoding: 'utf8', cwd: work });
  assert.equal(run.error, undefined, 'promtool is installed (Debian package prometheus)');
  return run;
}

/** An instant query through Prometheus's HTTP API: the series and their values. */
async function query(expr: string): Promise<{ labels: Record<string, string>; value: number }[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const body = await response.json();
  assert.equal(body.status, 'success', `${expr}: ${JSON.stringify(body)}`);
  return body.data.result.map((r: { metric: Record<string, string>; value: [number, string] }) => ({
    labels: r.metric,
    value: Number(r.value[1]),
  }));
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'breakwater-prometheus-'));
  database = await createTestDatabase('sqlite');
  upstream = await startTestUpstream();
  server = await startBreakwater(database.url);
  const cookie = await signIn(server);
  const post = (path: string, body: object) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { cookie, origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const policy = { retry: { maxRetries: 0 }, cache: { enabled: false }, breaker: { consecutiveFailures: 1000 } };
  for (const slug of ['good', 'bad']) {
    const created = await post('/api/integrations', { name: slug, slug, baseUrl: upstream.url, policy });
    assert.equal(created.status, 201, await created.clone().text());
  }
  const token = (await (await post('/api/tokens', { name: 'prometheus' })).json()).token as string;
  // The operator's files, as shipped: only the target, the token file and (for a short test) the intervals differ.
  writeFileSync(join(work, 'token'), token);
  const config = readFileSync(join(deploy, 'prometheus', 'prometheus.yml'), 'utf8')
    .replace('breakwater:3000', new URL(server.url).host)
    .replace('/etc/prometheus/breakwater-token', join(work, 'token'))
    .replaceAll('15s', '1s');
  writeFileSync(join(work, 'prometheus.yml'), config);
  copyFileSync(join(deploy, 'prometheus', 'rules.yml'), join(work, 'rules.yml'));
  copyFileSync(join(deploy, 'prometheus', 'rules.test.yml'), join(work, 'rules.test.yml'));
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(work, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(work, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  await until('Prometheus ready', async () =>
    (await fetch(`${prometheusUrl}/-/ready`).catch(() => null))?.ok ? true : undefined,
  );
  // Calls after the first scrape, so that rates see them happen.
  await until('the first scrape', async () => ((await query('up')).some((r) => r.value === 1) ? true : undefined));
  const send = async (calls: number) => {
    for (let i = 0; i < calls; i++) {
      for (const [slug, path] of [
        ['good', 'v1/ok'],
        ['bad', 'fail'],
      ]) {
        const answer = await fetch(`${server.url}/api/gw/${slug}/${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await answer.arrayBuffer();
      }
    }
  };
  // Half, then the rest once Prometheus has scraped the series: a counter's first sample is its start, so
  // rates need calls on both sides of a scrape.
  await send(CALLS / 2);
  await until('the call counters scraped', async () =>
    (await query('breakwater_calls_total')).length >= 2 ? true : undefined,
  );
  await send(CALLS / 2);
});

after(async () => {
  prometheus?.kill('SIGKILL');
  await server?.stop();
  await upstream?.close();
  await database?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('promtool accepts the scrape configuration and the rules, and the rules pass their unit tests', () => {
  const config = promtool('check', 'config', 'prometheus.yml');
  assert.equal(config.status, 0, config.stdout + config.stderr);
  assert.match(config.stdout, /14 rules found/);
  const rules = promtool('test', 'rules', 'rules.test.yml');
  assert.equal(rules.status, 0, rules.stdout + rules.stderr);
  assert.match(rules.stdout, /SUCCESS/);
});

test('a real Prometheus scrapes the instance with the token and counts every call Breakwater made', async () => {
  const totals = await until('both integrations scraped with every call', async () => {
    const rows = await query('sum by (integration) (breakwater_calls_total)');
    const byIntegration = Object.fromEntries(rows.map((r) => [r.labels.integration, r.value]));
    return byIntegration.good === CALLS && byIntegration.bad === CALLS ? byIntegration : undefined;
  });
  assert.deepEqual(totals, { good: CALLS, bad: CALLS });
  const target = await (await fetch(`${prometheusUrl}/api/v1/targets`)).json();
  assert.equal(target.data.activeTargets[0].health, 'up', target.data.activeTargets[0].lastError);
});

test('the recording rules give the error rates Breakwater shows, and only the failing integration alerts', async () => {
  const percent = await until('error percentages recorded', async () => {
    const rows = await query('integration:breakwater_call_error_percent:rate5m');
    return rows.length === 2 && rows.every((r) => !Number.isNaN(r.value))
      ? Object.fromEntries(rows.map((r) => [r.labels.integration, r.value]))
      : undefined;
  });
  // Floating point: a ratio of two rates of the same counters (100.00000000000001 is 100).
  assert.deepEqual(Object.fromEntries(Object.entries(percent).map(([k, v]) => [k, Math.round(v * 1e6) / 1e6])), {
    good: 0,
    bad: 100,
  });
  const alerts = await until('the error-rate alert pending', async () => {
    const rows = await query('ALERTS{alertname="BreakwaterHighErrorRate"}');
    return rows.length > 0 ? rows : undefined;
  });
  assert.deepEqual(
    alerts.map((a) => [a.labels.integration, a.labels.alertstate, a.labels.severity]),
    [['bad', 'pending', 'critical']],
  );
  const p95 = await query('integration:http_client_request_duration_seconds:p95_5m');
  assert.equal(p95.length, 2);
  for (const row of p95) assert.ok(row.value > 0 && row.value < 1, `${row.labels.integration} p95 ${row.value}s`);
});

test('every query of the Grafana dashboard is valid PromQL, and the main panels have data', async () => {
  const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana', 'breakwater.json'), 'utf8'));
  const variables = dashboard.templating.list.map((v: { name: string }) => v.name);
  assert.deepEqual(variables, ['datasource', 'workspace', 'integration']);
  const resolve = (expr: string) =>
    expr.replaceAll('$__rate_interval', '1m').replaceAll('$workspace', '.*').replaceAll('$integration', '.*');
  const empty: string[] = [];
  for (const panel of dashboard.panels) {
    for (const target of panel.targets) {
      const rows = await query(resolve(target.expr));
      if (rows.length === 0) empty.push(panel.title);
    }
  }
  for (const title of [
    'Calls per second by outcome',
    'Error rate (caller-facing, 5m)',
    'Attempt latency p95 / p99 (5m)',
  ])
    assert.ok(!empty.includes(title), `panel "${title}" has data`);
  for (const v of dashboard.templating.list.slice(1)) {
    const metric = v.query.query.match(/label_values\((\w+)/)[1];
    assert.ok((await query(metric)).length > 0, `variable ${v.name} reads ${metric}, which is scraped`);
  }
});
