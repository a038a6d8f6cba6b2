import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Dispatcher } from 'undici';
import { DEFAULT_WORKSPACE_ID } from '@/lib/model';
import { applyMigrations, createDb, type Db, LatencyHistogram } from '../lib/db/index.ts';
import { overviewTiles } from '../lib/queries/index.ts';
import { ResilientClient } from '../lib/resilience/index.ts';
import { attachTelemetry, getRecorder, TelemetryRecorder } from '../lib/telemetry/index.ts';

// One run of `npm run bench:telemetry`:
// (1) ingest: calls per second sustained through ResilientClient + telemetry listener + recorder writing to
//     SQLite, and lost calls (rollup count minus calls made, after the final flush);
// (2) the loopback client benchmark (bench/server.ts in a child process) with telemetry off and on, in
//     alternating slices;
// (3) worst relative error of p50/p95/p99 read back from stored rollups against exact ones, 1M samples per
//     distribution;
// (4) p95 of the 24 h overview (overviewTiles, the one read behind the overview page and /api/overview) over
//     10M calls in rollups of 20 integrations on SQLite.

const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 20);
const IN_FLIGHT = 50;
const SLICE_MS = 1000;
const SLICES = 15;
const SAMPLES = 1_000_000;
const OVERVIEW_INTEGRATIONS = 20;
const OVERVIEW_CALLS = 10_000_000;
const OVERVIEW_RUNS = 40;

const dir = mkdtempSync(join(tmpdir(), 'breakwater-bench-'));
const url = `file:${join(dir, 'telemetry.db')}`;
process.env.DATABASE_URL = url;
process.env.LOG_LEVEL ??= 'warn';
await applyMigrations(url);
const db: Db = createDb(url);

/**
 * An upstream inside the process, answered through undici's dispatch-handler protocol: the ingest run then
 * measures the client and telemetry rather than the loopback network. 1 call in 100 gets a 503 first and
 * is retried (so the call log and retries are exercised too).
 */
function inProcessUpstream(): Dispatcher {
  const body = Buffer.from('{"ok":true}');
  const failedOnce = new Set<string>();
  let n = 0;
  return {
    dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      const controller = { abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null };
      const id = (options.headers as Record<string, string>)['x-request-id'];
      let status = 200;
      if (++n % 100 === 0 && !failedOnce.has(id)) {
        failedOnce.add(id);
        status = 503;
      }
      queueMicrotask(() => {
        const c = controller as unknown as Dispatcher.DispatchController;
        handler.onRequestStart?.(c, {});
        handler.onResponseStart?.(c, status, { 'content-type': 'application/json' }, 'OK');
        handler.onResponseData?.(c, body);
        handler.onResponseEnd?.(c, {});
      });
      return true;
    },
    close: async () => {},
  } as unknown as Dispatcher;
}

async function drive(send: (i: number) => Promise<unknown>, durationMs: number): Promise<number> {
  let sequence = 0;
  const endAt = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < endAt) await send(sequence++).catch(() => undefined);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return sequence;
}

async function integration(id: string): Promise<void> {
  await db.integration.create({
    data: { workspaceId: 'default', id, slug: id, name: id, baseUrl: 'http://127.0.0.1:1' },
  });
}

const retryFast = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 };
const noLimits = {
  rateLimit: { enabled: false },
  cache: { enabled: false },
  bulkhead: { maxConcurrent: IN_FLIGHT, maxQueue: IN_FLIGHT },
  retry: retryFast,
};

async function measureIngest() {
  await integration('ingest');
  let made = 0;
  const client = new ResilientClient({
    name: 'ingest',
    origin: 'http://127.0.0.1:1',
    dispatcher: inProcessUpstream(),
    policy: noLimits,
  });
  client.events.on('call.end', () => made++);
  attachTelemetry(client.events, 'ingest', () => ({}), { origin: 'http://127.0.0.1:1' });
  const send = (i: number) => client.request({ method: 'GET', path: `/items/${i}`, route: '/items/:id' });
  await drive(send, 1000);
  const warm = made;
  const started = performance.now();
  await drive(send, INGEST_SECONDS * 1000);
  const seconds = (performance.now() - started) / 1000;
  const measured = made - warm;
  const recorder = getRecorder();
  await recorder.stop();
  const stored = await db.metricRollup.aggregate({
    where: { integrationId: 'ingest', bucketSeconds: 60 },
    _sum: { count: true },
  });
  const storedHourly = await db.metricRollup.aggregate({
    where: { integrationId: 'ingest', bucketSeconds: 3600 },
    _sum: { count: true },
  });
  return {
    seconds: Number(seconds.toFixed(1)),
    calls: made,
    ingestCallsPerSec: Math.round(measured / seconds),
    lostCalls: (stored._sum.count ?? 0) - made,
    lostCallsHourly: (storedHourly._sum.count ?? 0) - made,
    callLogRows: await db.callLog.count({ where: { integrationId: 'ingest' } }),
    dropped: { ...recorder.stats },
  };
}

async function startUpstream(): Promise<{ child: ChildProcess; origin: string }> {
  const child = fork(new URL('./server.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, origin: `http://127.0.0.1:${line.toString().trim()}` };
}

/**
 * The loopback benchmark: the same client policy without telemetry and with `attachTelemetry` (how the
 * client registry wires every client: call.end and breaker transitions only), in rotating slices so both
 * see the same background load.
 */
async function measureOverhead() {
  await integration('loopback');
  const { child, origin } = await startUpstream();
  getRecorder().start();
  const redaction = () => ({ secrets: ['sk_bench_secret'] });
  const clients = {
    off: new ResilientClient({ name: 'loopback', origin, policy: noLimits }),
    attached: new ResilientClient({ name: 'loopback', origin, policy: noLimits }),
  };
  attachTelemetry(clients.attached.events, 'loopback', redaction, { origin });
  const names = Object.keys(clients) as (keyof typeof clients)[];
  const sender = (client: ResilientClient) => (i: number) =>
    client.request({ method: 'GET', path: `/items/${i}?q=1`, route: '/items/:id' });
  for (const name of names) await drive(sender(clients[name]), 1000);
  const calls = { off: 0, attached: 0 };
  const ms = { off: 0, attached: 0 };
  const cpuUs = { off: 0, attached: 0 };
  for (let slice = 0; slice < SLICES; slice++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(slice + j) % names.length];
      const started = performance.now();
      const cpu = process.cpuUsage();
      calls[name] += await drive(sender(clients[name]), SLICE_MS);
      const used = process.cpuUsage(cpu);
      cpuUs[name] += used.user + used.system;
      ms[name] += performance.now() - started;
    }
  }
  await Promise.all(names.map((name) => clients[name].close()));
  child.kill();
  await getRecorder().stop();
  const perSec = (name: keyof typeof calls) => (calls[name] / ms[name]) * 1000;
  const cpuPerCall = (name: keyof typeof calls) => cpuUs[name] / calls[name];
  return {
    offCallsPerSec: Math.round(perSec('off')),
    onCallsPerSec: Math.round(perSec('attached')),
    throughputRatioTelemetryOnVsOff: Number((perSec('attached') / perSec('off')).toFixed(3)),
    // CPU per call is steadier than calls/s on a shared machine
    cpuUsPerCallOff: Number(cpuPerCall('off').toFixed(2)),
    cpuUsPerCallOn: Number(cpuPerCall('attached').toFixed(2)),
    cpuRatioOnVsOff: Number((cpuPerCall('off') / cpuPerCall('attached')).toFixed(3)),
  };
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
}

const DISTRIBUTIONS: Record<string, (rand: () => number) => number> = {
  uniform: (rand) => 1 + rand() * 999,
  logNormal: (rand) => Math.exp(Math.log(50) + 1.0 * gaussian(rand)),
  bimodal: (rand) => (rand() < 0.8 ? Math.max(0.5, 20 + 3 * gaussian(rand)) : Math.max(0.5, 500 + 50 * gaussian(rand))),
};

/** Samples through the real recorder into SQLite, percentiles read back as the overview shows them (overviewTiles). */
async function measurePercentiles() {
  const recorder = new TelemetryRecorder(db, { instance: 'percentiles', successesKeptPerSecond: 0 });
  const worst = { p50RelErr: 0, p95RelErr: 0, p99RelErr: 0 };
  const perDistribution: Record<string, Record<string, number>> = {};
  const now = Date.now();
  for (const [name, draw] of Object.entries(DISTRIBUTIONS)) {
    const id = `pct-${name}`;
    await integration(id);
    const rand = random(name.length * 7919);
    const values = new Float64Array(SAMPLES);
    for (let i = 0; i < SAMPLES; i++) {
      const ms = draw(rand);
      values[i] = ms;
      // spread over the last 90 minutes: many minute rollups and two hourly ones get merged on read
      const startedAt = now - 90 * 60_000 + Math.floor((i / SAMPLES) * 90 * 60_000);
      recorder.record(id, {
        integration: id,
        requestId: String(i),
        method: 'GET',
        route: '/x',
        path: '/x',
        startedAt,
        durationMs: ms,
        outcome: 'success',
        attempts: [],
        retries: 0,
        cache: 'bypass',
        rateLimitWaitMs: 0,
        rateLimited: false,
        trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' },
        requestHeaders: {},
      });
    }
    await recorder.flush();
    values.sort();
    const exact = (q: number) => values[Math.max(0, Math.ceil(q * SAMPLES) - 1)];
    const summary = (await overviewTiles(db, DEFAULT_WORKSPACE_ID, new Date(now - 2 * 3_600_000))).find(
      (s) => s.id === id,
    )!;
    if (summary.requests !== SAMPLES) throw new Error(`${name}: ${summary.requests} stored, ${SAMPLES} recorded`);
    const errors = {
      p50RelErr: Math.abs(summary.p50Ms! - exact(0.5)) / exact(0.5),
      p95RelErr: Math.abs(summary.p95Ms! - exact(0.95)) / exact(0.95),
      p99RelErr: Math.abs(summary.p99Ms! - exact(0.99)) / exact(0.99),
    };
    perDistribution[name] = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, Number(v.toFixed(5))]));
    for (const key of Object.keys(worst) as (keyof typeof worst)[]) worst[key] = Math.max(worst[key], errors[key]);
  }
  return { ...worst, perDistribution };
}

/** 10M calls as rollups (minute and hourly rows, as the recorder writes them) of 20 integrations over 24 h. */
function seedOverview(file: string): number {
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
  const insertIntegration = raw.prepare(
    `INSERT INTO "Integration" (id, slug, name, baseUrl, policy, createdAt, updatedAt) VALUES (?, ?, ?, ?, '{}', ?, ?)`,
  );
  const insertRollup = raw.prepare(
    `INSERT INTO "MetricRollup" (bucketStart, bucketSeconds, integrationId, route, outcomeClass, instance, count,
      retries, cacheHits, cacheMisses, rateLimitWaits, rateLimitRejections, latencySumMs, latencyMaxMs, latencyHist)
     VALUES (?, ?, ?, ?, ?, 'bench', ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
  );
  const routes = ['/v1/charges', '/v1/customers/:id', '/v1/refunds'];
  const outcomes = [
    ['success', 0.96],
    ['server_error', 0.04],
  ] as const;
  const minutes = 24 * 60;
  const perMinute = OVERVIEW_CALLS / OVERVIEW_INTEGRATIONS / minutes / routes.length;
  const rand = random(42);
  const templates = new Map<number, LatencyHistogram>();
  const template = (count: number) => {
    let h = templates.get(count);
    if (!h) {
      h = new LatencyHistogram();
      for (let i = 0; i < count; i++) h.record(DISTRIBUTIONS.logNormal(rand));
      templates.set(count, h);
    }
    return h;
  };
  const start = Math.floor((Date.now() - minutes * 60_000) / 3_600_000) * 3_600_000;
  let total = 0;
  raw.transaction(() => {
    for (let n = 0; n < OVERVIEW_INTEGRATIONS; n++) {
      const id = `ov-${n}`;
      insertIntegration.run(id, id, `Integration ${n}`, 'http://127.0.0.1:1', iso(start), iso(start));
      for (const route of routes) {
        for (const [outcome, share] of outcomes) {
          let hour: LatencyHistogram | undefined;
          let hourCount = 0;
          for (let m = 0; m <= minutes + 60; m++) {
            const at = start + m * 60_000;
            if (at > Date.now()) break;
            const count = Math.max(1, Math.round(perMinute * share * (0.9 + 0.2 * rand())));
            const h = template(count);
            insertRollup.run(iso(at), 60, id, route, outcome, count, 0, 0, 0, count * 60, 900, JSON.stringify(h));
            total += count;
            hour ??= new LatencyHistogram();
            hour.merge(h);
            hourCount += count;
            if (m % 60 === 59 || at + 60_000 > Date.now()) {
              const hourStart = Math.floor(at / 3_600_000) * 3_600_000;
              insertRollup.run(
                iso(hourStart),
                3600,
                id,
                route,
                outcome,
                hourCount,
                0,
                0,
                0,
                hourCount * 60,
                900,
                JSON.stringify(hour),
              );
              hour = undefined;
              hourCount = 0;
            }
          }
        }
      }
    }
  })();
  raw.close();
  return total;
}

async function measureOverview() {
  const overviewUrl = `file:${join(dir, 'overview.db')}`;
  await applyMigrations(overviewUrl);
  const seeded = seedOverview(overviewUrl.slice('file:'.length));
  const overviewDb = createDb(overviewUrl);
  // Live traffic keeps writing the current hour: each run first changes it, as a recorder flush would.
  const raw = new Database(overviewUrl.slice('file:'.length));
  const currentHour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString().replace('Z', '+00:00');
  const lastMinute = (
    raw.prepare('SELECT max(bucketStart) AS m FROM "MetricRollup" WHERE bucketSeconds = 60').get() as { m: string }
  ).m;
  const bump = raw.prepare('UPDATE "MetricRollup" SET count = count + 1 WHERE bucketSeconds = ? AND bucketStart = ?');
  // as a recorder flush does: the current minute's rows and the current hour's rows change
  const touch = (hour: string) => {
    bump.run(3600, hour);
    bump.run(60, lastMinute);
  };
  const timings: number[] = [];
  let requests = 0;
  for (let run = 0; run < OVERVIEW_RUNS + 3; run++) {
    const since = new Date(Date.now() - 24 * 3_600_000);
    touch(currentHour);
    const started = performance.now();
    const tiles = await overviewTiles(overviewDb, DEFAULT_WORKSPACE_ID, since);
    const ended = performance.now();
    if (run < 3) continue;
    timings.push(ended - started);
    requests = tiles.reduce((n, t) => n + t.requests, 0);
  }
  await overviewDb.$disconnect();
  raw.close();
  const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1];
  return {
    callsStored: seeded,
    callsIn24hWindow: requests,
    overviewQueryP95Ms: Number(p95(timings).toFixed(1)),
  };
}

// BENCH_ONLY=ingest|loopback|percentiles|overview runs one part and prints it (no results file).
const only = process.env.BENCH_ONLY;
if (only) {
  const parts: Record<string, () => Promise<unknown>> = {
    ingest: measureIngest,
    loopback: measureOverhead,
    percentiles: measurePercentiles,
    overview: measureOverview,
  };
  console.log(await parts[only]());
  process.exit(0);
}
const ingest = await measureIngest();
console.log(`ingest: ${ingest.ingestCallsPerSec} calls/s over ${ingest.seconds} s, lost ${ingest.lostCalls}`);
const overhead = await measureOverhead();
console.log(
  `loopback: off ${overhead.offCallsPerSec}/s, on ${overhead.onCallsPerSec}/s (ratio ${overhead.throughputRatioTelemetryOnVsOff}, cpu ratio ${overhead.cpuRatioOnVsOff})`,
);
const percentiles = await measurePercentiles();
console.log(
  `percentile error (worst of 3 distributions, 1M samples each): p50 ${percentiles.p50RelErr.toFixed(5)}, p95 ${percentiles.p95RelErr.toFixed(5)}, p99 ${percentiles.p99RelErr.toFixed(5)}`,
);
const overview = await measureOverview();
console.log(
  `overview 24 h, ${OVERVIEW_INTEGRATIONS} integrations, ${overview.callsStored} calls: p95 ${overview.overviewQueryP95Ms} ms (overviewTiles)`,
);

const result = {
  node: process.version,
  ingestCallsPerSec: ingest.ingestCallsPerSec,
  lostCalls: ingest.lostCalls,
  throughputRatioTelemetryOnVsOff: overhead.throughputRatioTelemetryOnVsOff,
  p50RelErr: Number(percentiles.p50RelErr.toFixed(5)),
  p95RelErr: Number(percentiles.p95RelErr.toFixed(5)),
  p99RelErr: Number(percentiles.p99RelErr.toFixed(5)),
  overviewQueryP95Ms: overview.overviewQueryP95Ms,
  targets: {
    ingestCallsPerSec: '>= 20000 with lostCalls 0',
    throughputRatioTelemetryOnVsOff: '>= 0.8',
    relErr: '<= 0.02',
    overviewQueryP95Ms: '<= 100',
  },
  details: {
    ingest: {
      ...ingest,
      how: `${ingest.seconds} s (not 60 s, to keep the bench short) at ${IN_FLIGHT} in flight through ResilientClient (retry, breaker, bulkhead on) with an in-process upstream (1% of calls 503 then retried), the telemetry listener and the recorder flushing to SQLite every second; lost = minute-rollup count after the final flush minus calls made`,
    },
    loopback: {
      ...overhead,
      how: `bench/server.ts in a child process, ${IN_FLIGHT} in flight, ${SLICES} rotating slices of ${SLICE_MS} ms per variant; on = attachTelemetry, as the client registry wires every client (call.end and breaker transitions only: rollups, call log to SQLite, live metrics); no OTLP exporter configured (spans are only built when one is)`,
    },
    percentiles: {
      ...percentiles.perDistribution,
      how: `${SAMPLES} samples per distribution through TelemetryRecorder into SQLite over 90 minutes, read back with overviewTiles (minute rollups merged); exact = nearest rank`,
    },
    overview: {
      ...overview,
      how: `${OVERVIEW_INTEGRATIONS} integrations x 3 routes x 2 outcomes, minute and hourly rollups for 24 h (better-sqlite3 inserts), p95 of ${OVERVIEW_RUNS} runs (after 3 warm-up runs) of overviewTiles(24 h) (hourly rollups, the last 5 minutes from minute rollups, breaker events, firing alerts); before each run the current minute's and current hour's rows are rewritten (as a recorder flush does), so each run reads what changed again while unchanged buckets come from the parsed-bucket cache (lib/queries/rollups.ts)`,
    },
  },
};
writeFileSync(new URL('./results/telemetry.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
await db.$disconnect();
rmSync(dir, { recursive: true, force: true });
