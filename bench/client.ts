import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import {
  bulkhead,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { Pool } from 'undici';
import { ResilientClient } from '../lib/resilience/index.ts';

// One run, on 127.0.0.1: (1) per-call overhead of the policy pipeline around a no-op, next to cockatiel's
// wrap(retry, circuitBreaker, bulkhead, timeout) and a bare call; (2) throughput and latency at 50 in
// flight through the full client, next to a bare undici Pool, against a node:http server in a child process.

// The machine is shared (two cores, other sessions building and testing), so every figure is taken many
// times in short rounds: per-call costs keep the best round, throughput compares adjacent slices.
const overheadRounds = 10;
const overheadCalls = 50_000;
// cockatiel is ~20x slower per call; fewer calls keep the run short without changing its per-call figure.
const cockatielCalls = 5_000;
const inFlight = 50;
const sliceMs = 300;
const slices = 16;

const everyPolicyOn = {
  // Limits sized for the load, so the run measures the policies' cost rather than their throttling.
  rateLimit: { perMinute: 1e9, burst: 1e6, maxWaitMs: 0 },
  bulkhead: { maxConcurrent: inFlight, maxQueue: inFlight },
  breaker: { mode: 'failureRate' as const, slowCallMs: 5000 },
  cache: { enabled: false },
  hedging: { enabled: true, delayMs: 1000 },
  fallback: { kind: 'static' as const, status: 503, body: 'fallback' },
};
// The same with the cache on: every request has a distinct URL, so each is a miss that gets stored (the
// cache's worst case: 1000 live entries churning through the old generation).
const everyPolicyOnWithCache = { ...everyPolicyOn, cache: { enabled: true, maxEntries: 1000 } };

async function noop(): Promise<void> {}

async function nsPerCall(call: () => Promise<unknown>, calls: number): Promise<number> {
  for (let i = 0; i < 5_000; i++) await call();
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call();
  return Number(process.hrtime.bigint() - started) / calls;
}

async function measureOverhead() {
  const client = new ResilientClient({ name: 'bench', origin: 'http://127.0.0.1:1', policy: everyPolicyOn });
  const cockatielPolicy = wrap(
    retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) }),
    bulkhead(inFlight, inFlight),
    timeout(10_000, TimeoutStrategy.Cooperative),
  );
  const best = {
    bare: Number.POSITIVE_INFINITY,
    pipeline: Number.POSITIVE_INFINITY,
    cockatiel: Number.POSITIVE_INFINITY,
  };
  for (let round = 0; round < overheadRounds; round++) {
    best.bare = Math.min(best.bare, await nsPerCall(noop, overheadCalls));
    best.pipeline = Math.min(best.pipeline, await nsPerCall(() => client.pipeline.execute(noop), overheadCalls));
    best.cockatiel = Math.min(best.cockatiel, await nsPerCall(() => cockatielPolicy.execute(noop), cockatielCalls));
  }
  await client.close();
  return {
    bareNsPerCall: best.bare,
    pipelineNsPerCall: best.pipeline,
    cockatielNsPerCall: best.cockatiel,
    overheadNsPerCall: best.pipeline - best.bare,
    cockatielOverheadNsPerCall: best.cockatiel - best.bare,
  };
}

interface LoadResult {
  requests: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Client-process CPU per request: steadier than req/s when the machine is shared. */
  cpuUsPerRequest: number;
}

interface Tally {
  latencies: number[];
  elapsedMs: number;
  cpuUs: number;
  sliceRates: number[];
}

const emptyTally = (): Tally => ({ latencies: [], elapsedMs: 0, cpuUs: 0, sliceRates: [] });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function runSlice(send: (i: number) => Promise<unknown>, durationMs: number, tally: Tally): Promise<void> {
  let sequence = tally.latencies.length;
  const endAt = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < endAt) {
      const started = performance.now();
      await send(sequence++);
      tally.latencies.push(performance.now() - started);
    }
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const before = tally.latencies.length;
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = performance.now() - started;
  tally.elapsedMs += elapsed;
  tally.sliceRates.push(((tally.latencies.length - before) / elapsed) * 1000);
  const used = process.cpuUsage(cpu);
  tally.cpuUs += used.user + used.system;
}

function summarize(tally: Tally): LoadResult {
  const latencies = tally.latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    requestsPerSec: Math.round((latencies.length / tally.elapsedMs) * 1000),
    p50Ms: Number(latencies[Math.floor(latencies.length * 0.5)].toFixed(3)),
    p99Ms: Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(3)),
    cpuUsPerRequest: Number((tally.cpuUs / latencies.length).toFixed(2)),
  };
}

async function startServer(): Promise<{ child: ChildProcess; origin: string }> {
  const child = fork(new URL('./server.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, origin: `http://127.0.0.1:${line.toString().trim()}` };
}

/**
 * The two systems run in alternating short slices (which goes first alternates too) so each pair sees the
 * same background load. The throughput ratio is the median of the pairs' ratios; latencies and CPU per
 * request are pooled over all slices.
 */
async function measureThroughput(origin: string, policy: typeof everyPolicyOn) {
  const pool = new Pool(origin);
  const client = new ResilientClient({ name: 'bench', origin, policy });
  const bare = (i: number) =>
    pool.request({ method: 'GET', path: `/items/${i}?q=1` }).then((res) => res.body.arrayBuffer());
  // The same wire request as the client sends: every call carries a new x-request-id and traceparent, made
  // from crypto.randomUUID (buffered, as the client's ids are; a randomBytes call per id would cost more).
  const bareSameHeaders = (i: number) => {
    const trace = randomUUID().replaceAll('-', '');
    const span = randomUUID().replaceAll('-', '').slice(0, 16);
    return pool
      .request({
        method: 'GET',
        path: `/items/${i}?q=1`,
        headers: { 'x-request-id': randomUUID(), traceparent: `00-${trace}-${span}-01` },
      })
      .then((res) => res.body.arrayBuffer());
  };
  const resilient = (i: number) => client.request({ method: 'GET', path: `/items/${i}?q=1`, route: '/items/:id' });
  const systems = [bare, bareSameHeaders, resilient];
  const tallies = systems.map(emptyTally);
  const warmup = emptyTally();
  for (const send of systems) await runSlice(send, 1000, warmup);
  for (let slice = 0; slice < slices; slice++) {
    // Which system goes first rotates, so each sees the same share of the machine's background load.
    for (let k = 0; k < systems.length; k++) {
      const index = (slice + k) % systems.length;
      await runSlice(systems[index], sliceMs, tallies[index]);
    }
  }
  await Promise.all([pool.close(), client.close()]);
  const [undici, undiciSameHeaders, resilientTally] = tallies;
  const ratioOfPairs = (baseline: Tally) =>
    Number(median(baseline.sliceRates.map((rate, i) => resilientTally.sliceRates[i] / rate)).toFixed(3));
  return {
    ratio: ratioOfPairs(undici),
    ratioSameHeaders: ratioOfPairs(undiciSameHeaders),
    pooledRatio: Number(
      (
        resilientTally.latencies.length /
        resilientTally.elapsedMs /
        (undici.latencies.length / undici.elapsedMs)
      ).toFixed(3),
    ),
    undici: summarize(undici),
    undiciSameHeaders: summarize(undiciSameHeaders),
    client: summarize(resilientTally),
  };
}

type Phase = 'overhead' | 'throughput' | 'throughput-cache';

async function runPhase(phase: Phase) {
  if (phase === 'overhead') return measureOverhead();
  const { child, origin } = await startServer();
  try {
    return await measureThroughput(origin, phase === 'throughput' ? everyPolicyOn : everyPolicyOnWithCache);
  } finally {
    child.kill();
  }
}

// Each measurement runs in a fresh process, as JMH forks one JVM per benchmark: the no-op rounds (or the
// cache-on run) would otherwise leave the JIT's type feedback shaped by a workload other than the one measured.
async function inFreshProcess<P extends Phase>(phase: P): Promise<Awaited<ReturnType<typeof runPhase>>> {
  const child = fork(new URL(import.meta.url).pathname, [phase], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`bench phase ${phase} exited with ${code}`);
  return JSON.parse(output);
}

const phaseArg = process.argv[2] as Phase | undefined;
if (phaseArg) {
  process.stdout.write(JSON.stringify(await runPhase(phaseArg)));
  process.exit(0);
}
const overhead = (await inFreshProcess('overhead')) as Awaited<ReturnType<typeof measureOverhead>>;
const throughput = (await inFreshProcess('throughput')) as Awaited<ReturnType<typeof measureThroughput>>;
const withCache = (await inFreshProcess('throughput-cache')) as Awaited<ReturnType<typeof measureThroughput>>;

type Throughput = Awaited<ReturnType<typeof measureThroughput>>;

function throughputResult(run: Throughput, policies: string) {
  return {
    policies,
    throughputRatioVsUndici: run.ratio,
    throughputRatioVsUndiciSameHeaders: run.ratioSameHeaders,
    pooledThroughputRatioVsUndici: run.pooledRatio,
    p99RatioVsUndici: Number((run.client.p99Ms / run.undici.p99Ms).toFixed(3)),
    undici: run.undici,
    undiciSameHeaders: run.undiciSameHeaders,
    client: run.client,
  };
}

const result = {
  node: process.version,
  overheadNsPerCall: Math.round(overhead.overheadNsPerCall),
  cockatielOverheadNsPerCall: Math.round(overhead.cockatielOverheadNsPerCall),
  throughputRatioVsUndici: throughput.ratio,
  p99RatioVsUndici: Number((throughput.client.p99Ms / throughput.undici.p99Ms).toFixed(3)),
  throughputRatioVsUndiciSameHeaders: throughput.ratioSameHeaders,
  overhead: {
    rounds: overheadRounds,
    callsPerRound: overheadCalls,
    cockatielCallsPerRound: cockatielCalls,
    bareNsPerCall: Math.round(overhead.bareNsPerCall),
    pipelineNsPerCall: Math.round(overhead.pipelineNsPerCall),
    cockatielNsPerCall: Math.round(overhead.cockatielNsPerCall),
    pipeline: 'client.pipeline: rate limit, overall deadline, retry + budget, breaker, bulkhead',
    cockatiel: 'cockatiel 3.2.1 wrap(retry, circuitBreaker, bulkhead, timeout cooperative)',
  },
  throughput: {
    inFlight,
    sliceMs,
    slicesEach: slices,
    baselines: {
      undici: 'a bare undici Pool, GET without headers',
      undiciSameHeaders: 'a bare undici Pool sending the x-request-id and traceparent the client sends on every call',
    },
    ...throughputResult(
      throughput,
      'every policy on (hedging at 1 s, static fallback, failure-rate breaker with slow calls), cache off',
    ),
  },
  throughputCacheOn: throughputResult(
    withCache,
    'as above with the cache on and a distinct URL per request: every call a miss that is stored',
  ),
};

const round1 = (n: number) => n.toFixed(1);
console.log(`Overhead per call around a no-op (best of ${overheadRounds} rounds):`);
console.log(`  bare call          ${round1(overhead.bareNsPerCall)} ns`);
console.log(
  `  breakwater pipeline ${round1(overhead.pipelineNsPerCall)} ns  -> overhead ${result.overheadNsPerCall} ns`,
);
console.log(
  `  cockatiel wrap     ${round1(overhead.cockatielNsPerCall)} ns  -> overhead ${result.cockatielOverheadNsPerCall} ns`,
);
function printThroughput(title: string, run: Throughput): void {
  console.log(title);
  for (const [name, r] of [
    ['bare undici Pool', run.undici],
    ['undici + same hdrs', run.undiciSameHeaders],
    ['ResilientClient', run.client],
  ] as const) {
    console.log(
      `  ${name.padEnd(18)} ${Math.round(r.requestsPerSec)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  cpu ${r.cpuUsPerRequest} us/req`,
    );
  }
  console.log(
    `  throughput ratio ${run.ratio}x bare undici (${run.ratioSameHeaders}x undici sending the same headers), p99 ratio ${Number((run.client.p99Ms / run.undici.p99Ms).toFixed(3))}x`,
  );
}
printThroughput(
  `Throughput at ${inFlight} in flight, cache off (${slices} rotating slices of ${sliceMs} ms each; ratio = median of adjacent slices):`,
  throughput,
);
printThroughput('Same with the cache on, a distinct URL per request (every call a stored miss):', withCache);
writeFileSync(new URL('./results/client.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
