// `npm run bench:background`: inbound webhooks and durable jobs on the production build (BREAKWATER_DIST_DIR,
// default .next), on the embedded default (a SQLite file), against the demo upstream on 127.0.0.1.
//   1. Ingest: Standard Webhooks deliveries (signed with the `standardwebhooks` reference library) accepted
//      per second at 50 in flight, each verified, deduplicated, stored with its forward job and only then
//      acknowledged; next to the same deliveries with a wrong signature (verified and refused, nothing
//      stored) and GET /api/health, measured in the same run.
//   2. Forwarding: how fast the job worker drains those forwards through the integration's resilient client,
//      next to the same POSTs sent straight through the gateway at the same concurrency.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Webhook } from 'standardwebhooks';
import { startDemoUpstream } from '@/demo/upstream';
import { createTestDatabase } from '@/test/support/database';
import { signIn, startBreakwater } from '@/test/support/server';

const DELIVERIES = 2000;
const IN_FLIGHT = 50;
const WORKER_CONCURRENCY = 20;

interface Load {
  requests: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Sends every request with `inFlight` at a time; each must answer `expected`. */
async function drive(requests: (() => Promise<Response>)[], inFlight: number, expected: number): Promise<Load> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests.length) {
        const send = requests[next++];
        const t0 = performance.now();
        const response = await send();
        await response.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (response.status !== expected) throw new Error(`expected ${expected}, got ${response.status}`);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.floor(latencies.length * q)].toFixed(2));
  return {
    requests: requests.length,
    perSec: Math.round((requests.length / elapsed) * 1000),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const appKey = `bench-app-${randomBytes(8).toString('hex')}`;
const database = await createTestDatabase('sqlite');
const upstream = await startDemoUpstream({ eventsPerSec: 0 });
const server = await startBreakwater(database.url, {
  BREAKWATER_SECRET_BENCH_WEBHOOK: secret,
  BREAKWATER_SECRET_BENCH_APP_KEY: appKey,
  BREAKWATER_JOB_POLL_MS: '50',
  BREAKWATER_JOB_CONCURRENCY: String(WORKER_CONCURRENCY),
  LOG_LEVEL: 'warn',
});
try {
  const cookie = await signIn(server);
  const api = async (path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { cookie, origin: server.url, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  await api('/api/integrations', {
    name: 'Bench application',
    slug: 'bench-app',
    baseUrl: `${upstream.url}/app`,
    authScheme: 'bearer',
    secretEnv: 'BREAKWATER_SECRET_BENCH_APP_KEY',
    policy: {
      retry: { maxRetries: 0 },
      cache: { enabled: false },
      rateLimit: { enabled: false },
      bulkhead: { maxConcurrent: 100, maxQueue: 100 },
    },
  });
  await api('/api/webhook-sources', {
    name: 'Bench',
    slug: 'bench',
    integration: 'bench-app',
    forwardPath: '/hooks',
    scheme: 'standard',
    secretEnv: 'BREAKWATER_SECRET_BENCH_WEBHOOK',
  });
  const { token } = await api('/api/tokens', { name: 'bench' });

  const signer = new Webhook(secret);
  const forger = new Webhook(`whsec_${randomBytes(24).toString('base64')}`);
  const delivery = (i: number, by: Webhook) => {
    const id = `msg_bench_${i}`;
    const body = JSON.stringify({ type: 'payment.succeeded', data: { id: `pay_${i}`, amount: 1000 + i } });
    const timestamp = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': by.sign(id, timestamp, body),
    };
    return () => fetch(`${server.url}/api/webhooks/bench`, { method: 'POST', headers, body });
  };
  const health = () => fetch(`${server.url}/api/health`);

  // Warm-up: every route compiled and connected before anything is timed.
  await drive(
    Array.from({ length: 200 }, (_, i) => delivery(1_000_000 + i, forger)),
    IN_FLIGHT,
    401,
  );
  await drive(
    Array.from({ length: 200 }, () => health),
    IN_FLIGHT,
    200,
  );

  const refused = await drive(
    Array.from({ length: DELIVERIES }, (_, i) => delivery(i, forger)),
    IN_FLIGHT,
    401,
  );
  const healthLoad = await drive(
    Array.from({ length: DELIVERIES }, () => health),
    IN_FLIGHT,
    200,
  );
  const acceptStarted = performance.now();
  const accepted = await drive(
    Array.from({ length: DELIVERIES }, (_, i) => delivery(i, signer)),
    IN_FLIGHT,
    200,
  );

  // Forwarding: the worker drains the forwards the accepted deliveries queued (it starts during ingest).
  const drainStarted = performance.now();
  for (;;) {
    const stats = await api('/api/jobs/stats');
    if (stats.byState.done + stats.byState.dead >= DELIVERIES) {
      if (stats.byState.dead > 0) throw new Error(`${stats.byState.dead} forwards were dead-lettered`);
      break;
    }
    if (performance.now() - drainStarted > 600_000) throw new Error('the forwards did not drain in 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const forwardsPerSec = Math.round((DELIVERIES / (performance.now() - acceptStarted)) * 1000);
  const direct = await drive(
    Array.from(
      { length: DELIVERIES },
      (_, i) => () =>
        fetch(`${server.url}/api/gw/bench-app/hooks`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': `direct-${i}`,
          },
          body: JSON.stringify({ i }),
        }),
    ),
    WORKER_CONCURRENCY,
    200,
  );

  const result = {
    node: process.version,
    cpus: cpus().length,
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
    database: 'sqlite',
    webhookIngest: {
      deliveries: DELIVERIES,
      inFlight: IN_FLIGHT,
      accepted,
      refusedBadSignature: refused,
      health: healthLoad,
      acceptedRatioVsRefused: Number((accepted.perSec / refused.perSec).toFixed(3)),
      acceptedRatioVsHealth: Number((accepted.perSec / healthLoad.perSec).toFixed(3)),
    },
    forwarding: {
      workerConcurrency: WORKER_CONCURRENCY,
      forwardsPerSec,
      directThroughGatewayPerSec: direct.perSec,
      ratioVsDirect: Number((forwardsPerSec / direct.perSec).toFixed(3)),
      note: 'forwardsPerSec: from the first accepted delivery to the last forward done (the worker runs during ingest too)',
    },
  };
  console.log(`Inbound webhooks at ${IN_FLIGHT} in flight, ${DELIVERIES} deliveries each, SQLite:`);
  for (const [name, load] of [
    ['accepted (stored + job queued)', accepted],
    ['refused (bad signature)', refused],
    ['GET /api/health', healthLoad],
  ] as const) {
    console.log(`  ${name.padEnd(31)} ${load.perSec} req/s  p50 ${load.p50Ms} ms  p99 ${load.p99Ms} ms`);
  }
  console.log(
    `  accepted/refused ${result.webhookIngest.acceptedRatioVsRefused}x, accepted/health ${result.webhookIngest.acceptedRatioVsHealth}x`,
  );
  console.log(`Forwarding through the job queue (worker concurrency ${WORKER_CONCURRENCY}):`);
  console.log(`  durable forwards ${forwardsPerSec}/s, the same POSTs straight through the gateway ${direct.perSec}/s`);
  console.log(`  ratio ${result.forwarding.ratioVsDirect}x`);
  writeFileSync(new URL('./results/background.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await server.stop();
  await upstream.close();
  await database.drop();
}
