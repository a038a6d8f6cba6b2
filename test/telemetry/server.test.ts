import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { createDb, type Db, sqlitePath } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type BreakwaterServer, signIn, startBreakwater } from '../support/server';
import { OtlpReceiver } from './otlp-receiver';
import { startTestUpstream, type TestUpstream } from './support';

// The production server (SQLite: the test locks the file from outside) in front of a small upstream, with
// OTLP export to a receiver in this process. Every call is counted here, then compared with the rollups
// after SIGTERM.
const SECRET = 'sk_live_server_telemetry_6b2f90c1';
let database: TestDatabase;
let server: BreakwaterServer;
let upstream: TestUpstream;
let receiver: OtlpReceiver;
let token: string;
let callsMade = 0;
let exitCode: number | null = null;

let cookie: string;

async function gateway(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  const response = await fetch(`${server.url}/api/gw/pay/${path}`, { ...init, headers });
  callsMade++;
  return response;
}

async function metrics(auth = true): Promise<Response> {
  return fetch(`${server.url}/api/metrics`, { headers: auth ? { authorization: `Bearer ${token}` } : {} });
}

function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

before(async () => {
  database = await createTestDatabase('sqlite');
  upstream = await startTestUpstream();
  receiver = await new OtlpReceiver().start();
  server = await startBreakwater(database.url, {
    BREAKWATER_SECRET_TELEMETRY_UPSTREAM_KEY: SECRET,
    BREAKWATER_SUCCESSES_KEPT_PER_SECOND: '10000',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_METRIC_EXPORT_INTERVAL: '500',
  });
  cookie = await signIn(server);
  const created = await fetch(`${server.url}/api/tokens`, {
    method: 'POST',
    headers: { cookie, origin: server.url, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'telemetry test' }),
  });
  token = (await created.json()).token;
  const integration = await fetch(`${server.url}/api/integrations`, {
    method: 'POST',
    headers: { cookie, origin: server.url, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Payments',
      slug: 'pay',
      baseUrl: upstream.url,
      authScheme: 'bearer',
      secretEnv: 'BREAKWATER_SECRET_TELEMETRY_UPSTREAM_KEY',
      policy: { retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 2 }, cache: { enabled: false } },
    }),
  });
  assert.equal(integration.status, 201, await integration.clone().text());
});

after(async () => {
  if (exitCode === null) await server?.stop();
  await upstream?.close();
  await receiver?.close();
  await database?.drop();
});

test('GET /api/metrics needs a session or API token and passes promtool check metrics', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await gateway(`cards/${i}?api_key=${SECRET}`)).status, 200);
  assert.equal((await gateway('fail', { headers: { 'x-custom': `key ${SECRET}` } })).status, 500);
  assert.equal((await metrics(false)).status, 401);
  const response = await metrics();
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(check.error, undefined, 'promtool is installed (Debian package prometheus)');
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}\n${text}`);
  assert.match(
    text,
    /http_client_request_duration_seconds_bucket\{workspace="default",integration="pay",environment="production",route="[^"]+",method="GET",status_class="2xx",outcome="success",le="\+Inf"\} 5/,
  );
  assert.match(text, /http_client_request_duration_seconds_count\{[^}]*status_class="5xx"[^}]*\} 2/);
  assert.match(text, /resilience_retries_total\{workspace="default",integration="pay"\} 1/);
  assert.match(text, /breakwater_telemetry_dropped_total\{kind="call_log"\} 0/);
  assert.ok(!text.includes(SECRET));
});

test('with the database locked mid-run, calls keep succeeding and the failed flushes are counted', async () => {
  const locker = new Database(sqlitePath(database.url));
  locker.exec('BEGIN IMMEDIATE');
  let failedFlushes = 0;
  try {
    for (let i = 0; i < 20; i++) assert.equal((await gateway(`locked/${i}`)).status, 200);
    // Wait (without a deadline: the test runner's timeout is the bound) until a flush has failed on the lock.
    while (!(failedFlushes > 0)) {
      failedFlushes = sample(await (await metrics()).text(), 'breakwater_telemetry_failed_flushes_total');
      if (!(failedFlushes > 0)) await sleep(100);
    }
    for (let i = 0; i < 5; i++) assert.equal((await gateway(`locked-more/${i}`)).status, 200);
    // ... and the dashboard says so instead of staying silent.
    const page = await (await fetch(`${server.url}/`, { headers: { cookie } })).text();
    assert.match(page, /data-testid="telemetry-health"/);
    assert.match(page, /failed writes/);
  } finally {
    locker.exec('ROLLBACK');
    locker.close();
  }
  assert.ok(failedFlushes >= 1);
  for (let i = 0; i < 5; i++) assert.equal((await gateway(`after/${i}`)).status, 200);
});

test('after SIGTERM every call made is in the rollups, and spans reached the OTLP receiver', async () => {
  exitCode = await server.stop('SIGTERM');
  assert.equal(exitCode, 0);
  const db: Db = createDb(database.url);
  try {
    for (const bucketSeconds of [60, 3600]) {
      const sum = await db.metricRollup.aggregate({ where: { bucketSeconds }, _sum: { count: true } });
      assert.equal(sum._sum.count, callsMade, `rollups of ${bucketSeconds} s`);
    }
    assert.equal(await db.callLog.count(), callsMade, 'every call kept (sampling set to keep all)');
  } finally {
    await db.$disconnect();
  }
  const attempts = receiver.spans.filter((s) => s.kind === 3);
  assert.equal(attempts.length, callsMade + 1, 'one CLIENT span per attempt (the failing call retried once)');
  for (const a of attempts) {
    assert.equal(a.attributes['server.address'], '127.0.0.1');
    assert.equal(a.attributes['server.port'], Number(new URL(upstream.url).port));
  }
  assert.ok(
    receiver.spans.every((s) => s.scope === 'breakwater'),
    'Next.js spans are filtered out',
  );
  assert.ok(receiver.metrics.some((m) => m.name === 'http.client.request.duration'));
});

test('redaction: the secret is nowhere in the database files, the logs or the exported telemetry', async () => {
  const dir = dirname(sqlitePath(database.url));
  const needles = [SECRET, Buffer.from(SECRET).toString('base64')];
  for (const file of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, file));
    for (const needle of needles) assert.equal(bytes.indexOf(needle), -1, `${needle} in ${file}`);
  }
  const db = createDb(database.url);
  try {
    const kept = await db.callLog.findMany({ where: { route: { contains: 'fail' } } });
    assert.ok(kept.length > 0);
    assert.match(kept[0].requestHeaders, /"authorization":"\[redacted\]"/);
    assert.match(kept[0].requestHeaders, /"x-custom":"key \[redacted\]"/);
    assert.ok((await db.callLog.findMany()).some((c) => c.path.includes('api_key=[redacted]')));
  } finally {
    await db.$disconnect();
  }
  for (const needle of needles) {
    assert.ok(!server.output().includes(needle), 'not in the server logs');
    assert.ok(!JSON.stringify(receiver.spans).includes(needle), 'not in exported spans');
    assert.ok(!JSON.stringify(receiver.metrics).includes(needle), 'not in exported metrics');
  }
});
