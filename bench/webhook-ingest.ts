// `npm run bench:webhook-ingest`: the inbound webhook core without any HTTP server: receiveWebhook called in
// this process with `IN_FLIGHT` deliveries at a time, on a SQLite file, each a Standard Webhooks delivery
// signed by the `standardwebhooks` reference library, verified, stored with its forward job and answered
// only after its commit. Run twice on one database: one transaction per delivery
// (BREAKWATER_WEBHOOK_BATCH_MAX=1) and group commit with the defaults. Every delivery is checked stored with
// its job afterwards. Writes bench/results/webhook-ingest.json.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Webhook } from 'standardwebhooks';
import { createDb, type Db } from '@/lib/db';
import { createIntegration, integrationSchema } from '@/lib/integrations';
import { DEFAULT_WORKSPACE_ID } from '@/lib/model';
import { ENV_VARIABLES } from '@/lib/server/env';
import { createSource, flushWebhookCounts, receiveWebhook, sourceSchema } from '@/lib/webhooks';
import { createMigratedDatabase } from '@/test/support/database';

const DELIVERIES = 4000;
const IN_FLIGHT = 50;
const WARM_UP = 200;

const secret = `whsec_${randomBytes(24).toString('base64')}`;
process.env.BREAKWATER_SECRET_BENCH_INGEST_WEBHOOK = secret;
process.env.BREAKWATER_SECRET_BENCH_INGEST_APP = `bench-app-${randomBytes(8).toString('hex')}`;
process.env.LOG_LEVEL = 'warn';
// Nothing is forwarded here (no worker runs); the integration only names a loopback destination.
process.env.BREAKWATER_OUTBOUND_ALLOW = '127.0.0.1';
const signer = new Webhook(secret);

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** A delivery as node:http hands it over: lower-case header record, the body as chunks. */
function delivery(run: string, i: number) {
  const id = `msg_${run}_${i}`;
  const text = JSON.stringify({ type: 'payment.succeeded', data: { id: `pay_${i}`, amount: 1000 + i } });
  const at = new Date();
  return {
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(id, at, text),
    },
    body: once(Buffer.from(text)),
  };
}

/** One run on its own client (so with its own batcher) of the shared database. */
async function run(db: Db, name: string, batchMax: string) {
  process.env.BREAKWATER_WEBHOOK_BATCH_MAX = batchMax;
  const before = await db.webhookEvent.count();
  // Warm-up: prepared statements and the batcher exist before anything is timed.
  await drive(db, `${name}-warm`, WARM_UP);
  const started = performance.now();
  const latencies = await drive(db, name, DELIVERIES);
  const elapsed = performance.now() - started;
  const [events, linked, jobs] = await Promise.all([
    db.webhookEvent.count(),
    db.webhookEvent.count({ where: { jobId: { not: null } } }),
    db.job.count({ where: { source: 'webhook' } }),
  ]);
  const expected = before + WARM_UP + DELIVERIES;
  if (events !== expected || linked !== expected || jobs !== expected)
    throw new Error(`${name}: ${events} events (${linked} with a job), ${jobs} jobs for ${expected} deliveries`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.floor(latencies.length * q)].toFixed(2));
  return {
    batchMax: Number(batchMax),
    deliveries: DELIVERIES,
    acceptedPerSec: Math.round((DELIVERIES / elapsed) * 1000),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

async function setUp(db: Db) {
  await createIntegration(
    db,
    DEFAULT_WORKSPACE_ID,
    integrationSchema.parse({
      name: 'Bench application',
      slug: 'bench-app',
      baseUrl: 'http://127.0.0.1:9/app',
      authScheme: 'bearer',
      secretEnv: 'BREAKWATER_SECRET_BENCH_INGEST_APP',
    }),
  );
  await createSource(
    db,
    DEFAULT_WORKSPACE_ID,
    sourceSchema.parse({
      name: 'Bench',
      slug: 'bench',
      integration: 'bench-app',
      forwardPath: '/hooks',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_BENCH_INGEST_WEBHOOK',
    }),
  );
}

async function drive(db: Db, name: string, count: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        const input = delivery(name, next++);
        const t0 = performance.now();
        const answer = await receiveWebhook(db, 'default', 'bench', input);
        latencies.push(performance.now() - t0);
        if (answer.status !== 200 || answer.body.duplicate)
          throw new Error(`${name}: answered ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }),
  );
  return latencies;
}

const { database, db } = await createMigratedDatabase('sqlite');
await setUp(db);
// The outcome counts are written through the first client for the whole process: it stays open to the end.
const perDelivery = await run(db, 'single', '1');
const grouped = createDb(database.url);
const groupCommit = await run(grouped, 'grouped', ENV_VARIABLES.BREAKWATER_WEBHOOK_BATCH_MAX.documentedDefault);
await flushWebhookCounts();
await grouped.$disconnect();
await db.$disconnect();
await database.drop();
const result = {
  node: process.version,
  cpus: cpus().length,
  loadAverage1m: Number(loadavg()[0].toFixed(2)),
  database: 'sqlite',
  inFlight: IN_FLIGHT,
  oneTransactionPerDelivery: perDelivery,
  groupCommit,
  speedup: Number((groupCommit.acceptedPerSec / perDelivery.acceptedPerSec).toFixed(2)),
};
console.log(JSON.stringify(result, null, 2));
writeFileSync('bench/results/webhook-ingest.json', `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
