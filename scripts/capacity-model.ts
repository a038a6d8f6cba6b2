// `npm run capacity [-- --instances 100 --calls-per-sec 1000000 --integrations 50 --json]`: projects Breakwater's
// measured per-instance figures onto a cluster (docs/SCALING.md explains the model and the design's answers).
// Demand per shared resource (PostgreSQL rollup upserts, call-log rows, Redis operations) against what one
// node of it was measured to sustain; the resource with the highest utilisation is the first bottleneck.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');

/** Figures measured on this machine (2 vCPU shared with the load generator); where each comes from. */
export const MEASURED = {
  /** bench/results/gateway.json throughput.requestsPerSec.gateway: wrk, 50 connections, one instance */
  gatewayCallsPerSecPerInstance: readGatewayFigure() ?? 7392,
  /** redis-benchmark -c 20 -P 16, EVAL of a token-bucket-shaped script (HMGET + HSET + PEXPIRE) on one key */
  redisBucketEvalsPerSecPipelined: 69_396,
  /** the same without pipelining: one round trip per call, as a gateway call makes it */
  redisBucketEvalsPerSecUnpipelined: 12_815,
  /** psql: 100 INSERT .. ON CONFLICT DO UPDATE of 500 MetricRollup-shaped rows (300-byte histogram) each */
  postgresRollupUpsertsPerSec: 23_400,
};

function readGatewayFigure(): number | undefined {
  const file = join(root, 'bench', 'results', 'gateway.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')).throughput?.requestsPerSec?.gateway;
}

export interface Workload {
  instances: number;
  callsPerSec: number;
  integrations: number;
  routesPerIntegration: number;
  /** outcome classes seen per route per minute (success plus one error class, typically) */
  outcomeClasses: number;
  flushIntervalMs: number;
  /** the recorder also keeps hourly rollups: a second upsert per dirty key */
  hourlyRollups: boolean;
  /** BREAKWATER_SUCCESSES_KEPT_PER_SECOND: sampled successes per integration per instance */
  successesKeptPerSecond: number;
  errorRate: number;
  slowRate: number;
  callLogRowBytes: number;
  /** share of calls through a rate-limited integration: one bucket EVAL each */
  rateLimitedShare: number;
  /** share of calls that are cacheable GETs: one GET, plus one SET per miss */
  cacheableShare: number;
  cacheHitRatio: number;
  /** share of unsafe calls carrying an Idempotency-Key: a SET NX and the stored answer's SET */
  idempotentShare: number;
  /** tokens an instance takes from the shared bucket per EVAL (1 = one EVAL per call, today) */
  tokenBatch: number;
  redisShards: number;
}

export const DEFAULT_WORKLOAD: Workload = {
  instances: 100,
  callsPerSec: 1_000_000,
  integrations: 50,
  routesPerIntegration: 5,
  outcomeClasses: 2,
  flushIntervalMs: 1000,
  hourlyRollups: true,
  successesKeptPerSecond: 5,
  errorRate: 0.01,
  slowRate: 0.005,
  callLogRowBytes: 600,
  rateLimitedShare: 1,
  cacheableShare: 0.3,
  cacheHitRatio: 0.5,
  idempotentShare: 0.1,
  tokenBatch: 1,
  redisShards: 1,
};

export interface Load {
  resource: string;
  demandPerSec: number;
  capacityPerSec: number;
  utilisation: number;
  note: string;
}

/** What the workload asks of each shared resource, against one node's measured capacity (or the shards'). */
export function project(w: Workload, m = MEASURED): Load[] {
  const perInstance = w.callsPerSec / w.instances;
  const keys = w.integrations * w.routesPerIntegration * w.outcomeClasses;
  // Each flush rewrites every rollup key touched since the last one (absolute values, per instance): at
  // these rates every key is touched in every flush.
  const rollupUpserts = (w.instances * keys * (w.hourlyRollups ? 2 : 1) * 1000) / w.flushIntervalMs;
  const sampled = Math.min(perInstance, w.integrations * w.successesKeptPerSecond) * w.instances;
  const callLogRows = sampled + w.callsPerSec * (w.errorRate + w.slowRate);
  const redisOps =
    w.callsPerSec *
    (w.rateLimitedShare / w.tokenBatch + w.cacheableShare * (1 + (1 - w.cacheHitRatio)) + w.idempotentShare * 2);
  // One integration's global bucket is one key: one shard serves it whatever the shard count.
  const hottestBucketOps = (w.callsPerSec / w.integrations) * 4 * (w.rateLimitedShare / w.tokenBatch);
  const redisCapacity = m.redisBucketEvalsPerSecPipelined * w.redisShards;
  const loads: Load[] = [
    {
      resource: 'gateway instances (calls/s)',
      demandPerSec: w.callsPerSec,
      capacityPerSec: m.gatewayCallsPerSecPerInstance * w.instances,
      utilisation: 0,
      note: `${Math.ceil(w.callsPerSec / m.gatewayCallsPerSecPerInstance)} instances at the measured ${m.gatewayCallsPerSecPerInstance}/s each`,
    },
    {
      resource: 'PostgreSQL rollup upserts',
      demandPerSec: rollupUpserts,
      capacityPerSec: m.postgresRollupUpsertsPerSec,
      utilisation: 0,
      note: `${keys} keys per instance per flush, x${w.hourlyRollups ? 2 : 1} (minute + hourly), every ${w.flushIntervalMs} ms`,
    },
    {
      resource: 'PostgreSQL call-log rows',
      demandPerSec: callLogRows,
      capacityPerSec: m.postgresRollupUpsertsPerSec * 2,
      utilisation: 0,
      note: `${((callLogRows * w.callLogRowBytes * 86_400) / 1e12).toFixed(2)} TB/day at ${w.callLogRowBytes} B/row (inserts counted at 2x an upsert's rate)`,
    },
    {
      resource: 'Redis operations (all keys)',
      demandPerSec: redisOps,
      capacityPerSec: redisCapacity,
      utilisation: 0,
      note: `${(redisOps / w.callsPerSec).toFixed(2)} ops per call over ${w.redisShards} shard(s)`,
    },
    {
      resource: 'Redis hottest bucket (one key)',
      demandPerSec: hottestBucketOps,
      capacityPerSec: m.redisBucketEvalsPerSecPipelined,
      utilisation: 0,
      note: 'the busiest integration taken at 4x the mean; one key lives on one shard',
    },
  ];
  for (const load of loads) load.utilisation = load.demandPerSec / load.capacityPerSec;
  return loads;
}

/** The design's answers, applied one by one: what each moves. */
export const REMEDIES: { name: string; change: Partial<Workload> }[] = [
  {
    name: 'rollups flushed every 10 s, hourly rows merged at read time',
    change: { flushIntervalMs: 10_000, hourlyRollups: false },
  },
  {
    name: 'call-log sampling as a cluster-wide budget (5 successes/s per integration in all)',
    change: { successesKeptPerSecond: 0.05 },
  },
  { name: 'token batches of 50 taken per EVAL', change: { tokenBatch: 50 } },
  { name: 'Redis Cluster, 16 shards', change: { redisShards: 16 } },
  { name: '140 instances (the gateway scales out: nothing above grows per call)', change: { instances: 140 } },
];

/**
 * Growing the cluster one instance at a time, each run at `headroom` of its measured rate: the cluster size
 * (and calls/s) at which each shared resource saturates, in the order they do.
 */
export function saturationPoints(w: Workload, headroom = 0.7, m = MEASURED) {
  const found = new Map<string, { instances: number; callsPerSec: number }>();
  for (let instances = 1; instances <= 2000 && found.size < 4; instances++) {
    const callsPerSec = instances * m.gatewayCallsPerSecPerInstance * headroom;
    for (const load of project({ ...w, instances, callsPerSec }, m)) {
      if (load.resource.startsWith('gateway') || found.has(load.resource) || load.utilisation < 1) continue;
      found.set(load.resource, { instances, callsPerSec: Math.round(callsPerSec) });
    }
  }
  return [...found].map(([resource, at]) => ({ resource, ...at }));
}

function table(loads: Load[]): string {
  const rows = loads
    .slice()
    .sort((a, b) => b.utilisation - a.utilisation)
    .map(
      (l) =>
        `${l.resource.padEnd(32)} ${Math.round(l.demandPerSec).toLocaleString('en').padStart(12)} ${Math.round(l.capacityPerSec).toLocaleString('en').padStart(12)} ${`${(l.utilisation * 100).toFixed(0)}%`.padStart(7)}  ${l.note}`,
    );
  return [
    `${'resource'.padEnd(32)} ${'demand/s'.padStart(12)} ${'capacity/s'.padStart(12)} ${'use'.padStart(7)}`,
    ...rows,
  ].join('\n');
}

function main(): void {
  const { values } = parseArgs({
    options: {
      instances: { type: 'string' },
      'calls-per-sec': { type: 'string' },
      integrations: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const workload: Workload = {
    ...DEFAULT_WORKLOAD,
    ...(values.instances && { instances: Number(values.instances) }),
    ...(values['calls-per-sec'] && { callsPerSec: Number(values['calls-per-sec']) }),
    ...(values.integrations && { integrations: Number(values.integrations) }),
  };
  const steps = [{ name: 'as built', workload, loads: project(workload) }];
  let current = workload;
  for (const remedy of REMEDIES) {
    current = { ...current, ...remedy.change };
    steps.push({ name: `+ ${remedy.name}`, workload: current, loads: project(current) });
  }
  console.log(`Measured: ${JSON.stringify(MEASURED)}`);
  const saturation = saturationPoints(workload);
  console.log('Growing the cluster (each instance at 70% of its measured rate), as built, saturates:');
  for (const point of saturation)
    console.log(
      `  ${point.resource} at ${point.instances} instances, ${point.callsPerSec.toLocaleString('en')} calls/s`,
    );
  console.log('');
  console.log(
    `Workload: ${workload.instances} instances, ${workload.callsPerSec.toLocaleString('en')} calls/s, ${workload.integrations} integrations\n`,
  );
  for (const step of steps) {
    const first = step.loads.slice().sort((a, b) => b.utilisation - a.utilisation)[0];
    console.log(`== ${step.name}: first bottleneck ${first.resource} at ${(first.utilisation * 100).toFixed(0)}%`);
    console.log(`${table(step.loads)}\n`);
  }
  if (values.json) {
    const file = join(root, 'bench', 'results', 'capacity.json');
    writeFileSync(file, `${JSON.stringify({ measured: MEASURED, saturation, steps }, null, 2)}\n`);
    console.log(`wrote ${file}`);
  }
}

main();
