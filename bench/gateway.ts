// `npm run bench:gateway`: the data plane against what a bare Node proxy does, in one run on 127.0.0.1.
//   1. Throughput at 50 connections (wrk -t2 -c50): one small node:http JSON upstream (bench/server.ts) called
//      direct, through a bare node:http reverse proxy (bench/bare-proxy.ts), and through the Breakwater
//      gateway (the production build started by startBreakwater, telemetry on, every default policy but the
//      rate limit off, the bulkhead at 256 and the cache off).
//   2. Latency at one connection (wrk -t1 -c1): p50 and p99 of the same three; what the gateway adds.
//   3. Lost calls: every response wrk read from the gateway, against the calls the telemetry recorder stored
//      in the minute rollups once it has flushed.
//   4. Inbound webhooks at 50 in flight on SQLite: Standard Webhooks deliveries (signed with the
//      `standardwebhooks` library, a unique id each) acknowledged per second, next to GET /api/health with the
//      same undici Pool driver; afterwards the stored events must number the acknowledged ones.
// BENCH_SECONDS (default 10) is the length of each measured run; BENCH_SECONDS=3 takes under a minute.
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { Pool } from 'undici';
import { createDb, MINUTE_SECONDS } from '@/lib/db';
import { createTestDatabase } from '@/test/support/database';
import { callApi, signIn, startBreakwater } from '@/test/support/server';
import { runWrk, type WrkResult } from './wrk';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
if (!(SECONDS >= 1)) throw new Error('BENCH_SECONDS must be a number of seconds, at least 1');
const WARMUP_SECONDS = Math.max(1, Math.round(SECONDS / 5));
const CONNECTIONS = 50;
const WEBHOOK_IN_FLIGHT = 50;
// The recorder's production flush interval (startBreakwater's default is 100 ms, for fast tests).
const FLUSH_INTERVAL_MS = 1000;

const TARGETS = {
  throughputRatioVsBareProxy: { at: 0.5, atLeast: true },
  addedLatencyP50Ms: { at: 0.3, atLeast: false },
  addedLatencyP99Ms: { at: 2, atLeast: false },
  lostCalls: { at: 0, atLeast: false },
  webhookAcceptedPerSec: { at: 2000, atLeast: true },
} as const;
type Target = keyof typeof TARGETS;

function targetText(name: Target): string {
  const { at, atLeast } = TARGETS[name];
  return at === 0 && !atLeast ? '0' : `${atLeast ? '>=' : '<='} ${at}`;
}

function verdict(name: Target, value: number): string {
  const { at, atLeast } = TARGETS[name];
  const met = atLeast ? value >= at : value <= at;
  return `target ${targetText(name)}  ${met ? 'PASS' : 'MISS'}`;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

async function startChild(script: string, args: string[] = []): Promise<{ child: ChildProcess; origin: string }> {
  const child = fork(new URL(script, import.meta.url).pathname, args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, origin: `http://127.0.0.1:${line.toString().trim()}` };
}

interface DriverLoad {
  requests: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  /** answers with another status than the one expected (each is also an error below) */
  unexpected: number;
}

/** `inFlight` requests at a time for `seconds` through one undici Pool; counts the answers with `expected`. */
async function drive(
  pool: Pool,
  send: (pool: Pool) => Promise<{ status: number }>,
  expected: number,
  seconds: number,
  inFlight: number,
): Promise<DriverLoad> {
  const latencies: number[] = [];
  let unexpected = 0;
  const started = performance.now();
  const endAt = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < endAt) {
        const t0 = performance.now();
        const { status } = await send(pool);
        if (status === expected) latencies.push(performance.now() - t0);
        else unexpected++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.floor(latencies.length * q)] ?? 0, 2);
  return {
    requests: latencies.length,
    perSec: Math.round((latencies.length / elapsed) * 1000),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    unexpected,
  };
}

const machine = {
  node: process.version,
  cpus: cpus().length,
  loadAverage1m: round(loadavg()[0], 2),
  wrk: /wrk (\S+)/.exec(
    (() => {
      try {
        return execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        // wrk -v prints its version, then its usage, and exits 1.
        return String((error as { stdout?: string }).stdout ?? '');
      }
    })(),
  )?.[1],
};
if (!machine.wrk)
  throw new Error('bench:gateway drives its load with wrk, which is not installed (apt-get install wrk)');
// After the merge the gateway is served by the data plane (dataplane/, behind server.ts), before it by the
// Next route handler: the results say which one they measured.
const gatewayServedBy = existsSync(join(import.meta.dirname, '..', 'dataplane'))
  ? 'dataplane (server.ts)'
  : 'Next route handler';

const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
const upstreamKey = `bench-upstream-${randomBytes(8).toString('hex')}`;
const upstream = await startChild('./server.ts');
const proxy = await startChild('./bare-proxy.ts', [new URL(upstream.origin).port]);
const database = await createTestDatabase('sqlite');
const server = await startBreakwater(database.url, {
  BREAKWATER_SECRET_BENCH_WEBHOOK: webhookSecret,
  BREAKWATER_SECRET_BENCH_UPSTREAM_KEY: upstreamKey,
  BREAKWATER_FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS),
  LOG_LEVEL: 'warn',
});
const db = createDb(database.url);
const pool = new Pool(server.url, { connections: WEBHOOK_IN_FLIGHT });
try {
  const cookie = await signIn(server);
  const create = async (path: string, body: unknown) => {
    const answer = await callApi(server, cookie, path, { method: 'POST', body });
    if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const benchPolicy = { rateLimit: { enabled: false }, bulkhead: { maxConcurrent: 256 }, cache: { enabled: false } };
  const { integration } = await create('/api/integrations', {
    name: 'Bench upstream',
    slug: 'bench-upstream',
    baseUrl: upstream.origin,
    authScheme: 'bearer',
    secretEnv: 'BREAKWATER_SECRET_BENCH_UPSTREAM_KEY',
    policy: benchPolicy,
  });
  // The webhook forwards go to an integration of their own, so they never count among the gateway's calls.
  await create('/api/integrations', {
    name: 'Bench receiver',
    slug: 'bench-receiver',
    baseUrl: upstream.origin,
    policy: benchPolicy,
  });
  const { source } = await create('/api/webhook-sources', {
    name: 'Bench',
    slug: 'bench',
    integration: 'bench-receiver',
    forwardPath: '/hooks',
    scheme: 'standard',
    secretEnv: 'BREAKWATER_SECRET_BENCH_WEBHOOK',
  });
  const { token } = await create('/api/tokens', { name: 'bench' });

  const path = '/items/1?q=1';
  const targets = {
    direct: `${upstream.origin}${path}`,
    bareProxy: `${proxy.origin}${path}`,
    gateway: `${server.url}/api/gw/bench-upstream${path}`,
  };
  type System = keyof typeof targets;
  const systems = Object.keys(targets) as System[];
  // The same request to each: the token is ignored by the upstream and passed through by the bare proxy.
  const headers = { authorization: `Bearer ${token}` };
  // Every response wrk read from the gateway, warm-up included: all of them must reach the rollups.
  const gatewayRuns: WrkResult[] = [];
  const wrk = async (system: System, threads: number, connections: number, seconds: number) => {
    const result = await runWrk(targets[system], { threads, connections, seconds, headers });
    if (system === 'gateway') gatewayRuns.push(result);
    return result;
  };

  for (const system of systems) await wrk(system, 2, CONNECTIONS, WARMUP_SECONDS);
  const throughput = {} as Record<System, WrkResult>;
  for (const system of systems) throughput[system] = await wrk(system, 2, CONNECTIONS, SECONDS);
  const oneConnection = {} as Record<System, WrkResult>;
  for (const system of systems) oneConnection[system] = await wrk(system, 1, 1, SECONDS);

  // Calls: the recorder flushes every FLUSH_INTERVAL_MS; the count is final once it stops moving (given 10 s
  // to catch up with what wrk read before a shortfall is taken as lost).
  const answered = gatewayRuns.reduce((sum, run) => sum + run.requests, 0);
  const countCalls = async () =>
    (
      await db.metricRollup.aggregate({
        _sum: { count: true },
        where: { integrationId: integration.id, bucketSeconds: MINUTE_SECONDS },
      })
    )._sum.count ?? 0;
  const loadEnded = Date.now();
  let counted = await countCalls();
  for (const giveUpAt = loadEnded + 60_000; Date.now() < giveUpAt; ) {
    await sleep(2 * FLUSH_INTERVAL_MS + 500);
    const now = await countCalls();
    if (now === counted && (now >= answered || Date.now() - loadEnded > 10_000)) break;
    counted = now;
  }
  const lostCalls = Math.max(0, answered - counted);
  const abandonedByLoadGenerator = Math.max(0, counted - answered);

  // Inbound webhooks: health first (its baseline), then the deliveries, each with an id of its own.
  const signer = new Webhook(webhookSecret);
  let deliveries = 0;
  const deliver = (driver: Pool) => {
    const id = `msg_bench_${deliveries++}`;
    const body = JSON.stringify({ type: 'payment.succeeded', data: { id: `pay_${id}`, amount: 1000 } });
    const timestamp = new Date();
    return driver
      .request({
        method: 'POST',
        path: '/api/webhooks/bench',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signer.sign(id, timestamp, body),
        },
        body,
      })
      .then(async (response) => {
        await response.body.dump();
        return { status: response.statusCode };
      });
  };
  const health = (driver: Pool) =>
    driver.request({ method: 'GET', path: '/api/health' }).then(async (response) => {
      await response.body.dump();
      return { status: response.statusCode };
    });
  await drive(pool, health, 200, WARMUP_SECONDS, WEBHOOK_IN_FLIGHT);
  const warmupWebhooks = await drive(pool, deliver, 200, WARMUP_SECONDS, WEBHOOK_IN_FLIGHT);
  const healthLoad = await drive(pool, health, 200, SECONDS, WEBHOOK_IN_FLIGHT);
  const accepted = await drive(pool, deliver, 200, SECONDS, WEBHOOK_IN_FLIGHT);
  const acknowledged = warmupWebhooks.requests + accepted.requests;
  const storedEvents = await db.webhookEvent.count({ where: { sourceId: source.id } });

  const ms = (value: number) => round(value, 3);
  const added = (quantile: 'p50' | 'p99', system: System) =>
    ms(oneConnection[system].latencyMs[quantile] - oneConnection.direct.latencyMs[quantile]);
  const throughputRatioVsBareProxy = round(throughput.gateway.requestsPerSec / throughput.bareProxy.requestsPerSec);
  const result = {
    ...machine,
    loadAverage1mAtEnd: round(loadavg()[0], 2),
    gatewayServedBy,
    benchSeconds: SECONDS,
    throughputRatioVsBareProxy,
    addedLatencyP50Ms: added('p50', 'gateway'),
    addedLatencyP99Ms: added('p99', 'gateway'),
    lostCalls,
    webhookAcceptedPerSec: accepted.perSec,
    webhookAcceptedRatioVsHealth: round(accepted.perSec / healthLoad.perSec),
    targets: Object.fromEntries((Object.keys(TARGETS) as Target[]).map((name) => [name, targetText(name)])),
    gatewayPolicy: integration.policy,
    throughput: {
      wrk: `-t2 -c${CONNECTIONS} -d${SECONDS}s --latency`,
      requestsPerSec: Object.fromEntries(systems.map((s) => [s, round(throughput[s].requestsPerSec, 0)])),
      runs: throughput,
    },
    latencyOneConnection: {
      wrk: `-t1 -c1 -d${SECONDS}s --latency`,
      addedByBareProxyP50Ms: added('p50', 'bareProxy'),
      addedByBareProxyP99Ms: added('p99', 'bareProxy'),
      runs: oneConnection,
    },
    calls: {
      answeredByGateway: answered,
      countedInRollups: counted,
      lostCalls,
      abandonedByLoadGenerator,
      non2xxAnswers: gatewayRuns.reduce((sum, run) => sum + run.non2xx, 0),
      wrkTimeouts: gatewayRuns.reduce((sum, run) => sum + run.socketErrors.timeout, 0),
      note: "answered: responses wrk read from the gateway over every run, warm-up included; abandoned: calls counted beyond them, in flight when wrk stopped; wrkTimeouts: wrk's count of requests older than its 2 s timeout at a check (it keeps waiting, and counts them among the answered when they arrive)",
    },
    webhooks: {
      inFlight: WEBHOOK_IN_FLIGHT,
      driver: 'undici Pool, one connection per request in flight',
      accepted,
      health: healthLoad,
      acknowledged,
      storedEvents,
      everyAcknowledgedStored: storedEvents === acknowledged,
    },
  };

  console.log(
    `${machine.cpus} cores, load average ${machine.loadAverage1m} (1 min) at start, ${result.loadAverage1mAtEnd} at end; node ${machine.node}, wrk ${machine.wrk}`,
  );
  console.log(`Gateway served by the ${gatewayServedBy}; each run ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up.`);
  const names: Record<System, string> = {
    direct: 'upstream direct',
    bareProxy: 'bare node:http proxy',
    gateway: 'Breakwater gateway',
  };
  console.log(`Throughput at ${CONNECTIONS} connections (wrk -t2 -c${CONNECTIONS}):`);
  for (const system of systems) {
    const run = throughput[system];
    console.log(
      `  ${names[system].padEnd(21)} ${String(Math.round(run.requestsPerSec)).padStart(6)} req/s  p50 ${run.latencyMs.p50.toFixed(2)} ms  p99 ${run.latencyMs.p99.toFixed(2)} ms  non-2xx ${run.non2xx}`,
    );
  }
  console.log(
    `  throughputRatioVsBareProxy ${throughputRatioVsBareProxy}  ${verdict('throughputRatioVsBareProxy', throughputRatioVsBareProxy)}`,
  );
  console.log('Latency at one connection (wrk -t1 -c1):');
  for (const system of systems) {
    const run = oneConnection[system];
    console.log(
      `  ${names[system].padEnd(21)} p50 ${run.latencyMs.p50.toFixed(3)} ms  p99 ${run.latencyMs.p99.toFixed(3)} ms  (${Math.round(run.requestsPerSec)} req/s)`,
    );
  }
  console.log(
    `  bare proxy adds ${result.latencyOneConnection.addedByBareProxyP50Ms} ms at p50, ${result.latencyOneConnection.addedByBareProxyP99Ms} ms at p99`,
  );
  console.log(
    `  addedLatencyP50Ms ${result.addedLatencyP50Ms}  ${verdict('addedLatencyP50Ms', result.addedLatencyP50Ms)}`,
  );
  console.log(
    `  addedLatencyP99Ms ${result.addedLatencyP99Ms}  ${verdict('addedLatencyP99Ms', result.addedLatencyP99Ms)}`,
  );
  console.log(
    `Calls: ${answered} answered by the gateway (${result.calls.non2xxAnswers} non-2xx; wrk's timeout count ${result.calls.wrkTimeouts}), ${counted} counted in the rollups`,
  );
  console.log(`  lostCalls ${lostCalls}  ${verdict('lostCalls', lostCalls)}`);
  console.log(
    `  abandoned by the load generator (in flight when wrk stopped, answered after): ${abandonedByLoadGenerator}`,
  );
  console.log(`Inbound webhooks at ${WEBHOOK_IN_FLIGHT} in flight on SQLite (undici Pool):`);
  for (const [name, load] of [
    ['accepted (durable)', accepted],
    ['GET /api/health', healthLoad],
  ] as const) {
    console.log(
      `  ${name.padEnd(21)} ${String(load.perSec).padStart(6)} req/s  p50 ${load.p50Ms} ms  p99 ${load.p99Ms} ms  unexpected status ${load.unexpected}`,
    );
  }
  console.log(
    `  webhookAcceptedPerSec ${accepted.perSec}  ${verdict('webhookAcceptedPerSec', accepted.perSec)}; webhookAcceptedRatioVsHealth ${result.webhookAcceptedRatioVsHealth}`,
  );
  console.log(
    `  stored events ${storedEvents}, acknowledged ${acknowledged}: ${result.webhooks.everyAcknowledgedStored ? 'PASS' : 'MISS'}`,
  );
  console.log("The issue's table, measured now (wrk -t2 -c50):");
  console.log('| path | req/s |\n|---|---|');
  for (const system of systems) console.log(`| ${names[system]} | ${Math.round(throughput[system].requestsPerSec)} |`);
  writeFileSync(new URL('./results/gateway.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await pool.close();
  await db.$disconnect();
  await server.stop();
  upstream.child.kill();
  proxy.child.kill();
  await database.drop();
}
