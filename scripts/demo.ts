// `npm run demo`: the product on its embedded default (SQLite) with a fault-injecting upstream and live
// traffic, so the dashboard has numbers within seconds. Builds, migrates, seeds, starts, and on Ctrl-C
// stops everything (flushing telemetry).

import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { applyScenarioFaults, demoIntegrations } from '@/demo/scenario';
import { startTraffic } from '@/demo/traffic';
import { startDemoUpstream } from '@/demo/upstream';
import { ensureDemoWebhookSource, startWebhookTraffic } from '@/demo/webhooks';
import { ADMIN_USERNAME, createApiToken, ensureAdmin } from '@/lib/auth';
import { applyMigrations, databaseUrl, getDb } from '@/lib/db';
import { createIntegration, findIntegration, integrationSchema, updateIntegration } from '@/lib/integrations';
import { DEFAULT_WORKSPACE_ID, TOKEN_SCOPES } from '@/lib/model';
import { createSync, deleteSync, syncSchema } from '@/lib/syncs';
import { listPrices, priceInputSchema, setPrice } from '@/lib/usage';

const DEMO_TOKEN_NAME = 'demo traffic';
const { values } = parseArgs({
  options: {
    'skip-build': { type: 'boolean', default: false },
    rate: { type: 'string', default: '20' },
  },
});
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const upstreamPort = Number(process.env.DEMO_UPSTREAM_PORT ?? 4010);
const url = databaseUrl();
process.env.DATABASE_URL = url;
// The demo upstream is on loopback, which the destination policy refuses unless the operator allows it.
process.env.BREAKWATER_OUTBOUND_ALLOW = [process.env.BREAKWATER_OUTBOUND_ALLOW, `127.0.0.1:${upstreamPort}`]
  .filter(Boolean)
  .join(',');

if (!values['skip-build']) {
  console.log('building the production bundle (next build)…');
  const build = spawnSync('./node_modules/.bin/next', ['build'], {
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const { applied } = await applyMigrations(url);
console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema up to date');
const db = getDb();
await ensureAdmin(db);

const upstream = await startDemoUpstream({ port: upstreamPort });
await applyScenarioFaults(upstream.url);

for (const demo of demoIntegrations) {
  const config = integrationSchema.parse({
    name: demo.name,
    slug: demo.slug,
    baseUrl: `${upstream.url}${demo.basePath}`,
    policy: {
      // The demo sends ~20 requests/s in all: leave room so limiting shows up only where the upstream imposes it.
      rateLimit: { perMinute: 1200, burst: 200 },
      cache: { ttlMs: 30_000 },
      trackingHeaders: ['x-upstream-request-id', 'x-request-id'],
    },
  });
  if (await findIntegration(db, DEFAULT_WORKSPACE_ID, demo.slug))
    await updateIntegration(db, DEFAULT_WORKSPACE_ID, demo.slug, { baseUrl: config.baseUrl });
  else await createIntegration(db, DEFAULT_WORKSPACE_ID, config);
  // A price from the month's first day (so the Usage page has figures at once), unless one was set already.
  if (demo.price && (await listPrices(db, DEFAULT_WORKSPACE_ID, demo.slug))?.length === 0) {
    const { currency, ...rules } = demo.price;
    const effectiveFrom = `${new Date().toISOString().slice(0, 7)}-01`;
    await setPrice(
      db,
      DEFAULT_WORKSPACE_ID,
      demo.slug,
      priceInputSchema.parse({ effectiveFrom, currency, rules }),
      'demo',
    );
  }
}

// A polling sync on the upstream's /events feed (two new events a second), stored as events. The feed starts
// over with every demo upstream, so the sync does too.
const feed = integrationSchema.parse({ name: 'Events feed', slug: 'events-feed', baseUrl: upstream.url });
if (await findIntegration(db, DEFAULT_WORKSPACE_ID, feed.slug))
  await updateIntegration(db, DEFAULT_WORKSPACE_ID, feed.slug, { baseUrl: feed.baseUrl });
else await createIntegration(db, DEFAULT_WORKSPACE_ID, feed);
await deleteSync(db, DEFAULT_WORKSPACE_ID, 'demo-events');
await createSync(
  db,
  DEFAULT_WORKSPACE_ID,
  syncSchema.parse({
    slug: 'demo-events',
    integration: feed.slug,
    path: '/events',
    timeField: 'at',
    intervalSeconds: 10,
  }),
);

// An inbound webhook source; its secret is generated for this run and reaches the server through its environment.
const webhookSecret = await ensureDemoWebhookSource(db);

const admin = await db.user.findUniqueOrThrow({ where: { username: ADMIN_USERNAME } });
await db.apiToken.updateMany({
  where: { userId: admin.id, name: DEMO_TOKEN_NAME, revokedAt: null },
  data: { revokedAt: new Date() },
});
const { token } = await createApiToken(db, admin.id, DEFAULT_WORKSPACE_ID, {
  name: DEMO_TOKEN_NAME,
  scopes: TOKEN_SCOPES,
});
await db.$disconnect();

const server = spawn(process.execPath, ['--import', 'tsx', 'server.ts', '-p', String(port), '-H', host], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
});
const serverExited = new Promise<number | null>((resolve) => server.once('exit', resolve));
const baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
for (let i = 0; ; i++) {
  if (server.exitCode !== null) process.exit(server.exitCode);
  if (
    await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  if (i > 300) throw new Error('the server did not become healthy within 60 s');
  await sleep(200);
}

const traffic = startTraffic({ baseUrl, token, integrations: demoIntegrations, ratePerSec: Number(values.rate) });
const webhookTraffic = startWebhookTraffic(baseUrl, webhookSecret);
console.log(`\n  Breakwater is running at ${baseUrl}  (sign in as "${ADMIN_USERNAME}")`);
console.log(`  demo upstream: ${upstream.url}  (faults: ${upstream.url}/__control/faults)`);
console.log(`  traffic: ${values.rate} requests/s through the gateway, and signed webhooks every 2 s.`);
console.log('  Ctrl-C stops everything.\n');

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  webhookTraffic.stop();
  await traffic.stop();
  server.kill('SIGTERM');
  await serverExited;
  await upstream.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
void serverExited.then((code) => {
  if (!stopping) {
    console.error(`the server exited (${code}); stopping the demo`);
    void traffic
      .stop()
      .then(() => upstream.close())
      .then(() => process.exit(code ?? 1));
  }
});
