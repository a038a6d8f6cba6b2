import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { deliver } from '@/lib/alerts';
import { getDb } from '@/lib/db';
import { deliverPage } from '@/lib/syncs/sink';
import { getRecorder } from '@/lib/telemetry';
import { migratedDatabase, startTestUpstream, type TestUpstream } from '../../test/telemetry/support';
import { clientFor, createIntegration, deliveryIntegrationSlug, integrationSchema, updateIntegration } from '.';

// Every outbound client comes from the one registry with telemetry attached: an alert notification, a sync
// sink delivery and a job completion webhook are in the call log and the rollups like a gateway call,
// recorded under their kind's own integration, with the destination policy applied.
process.env.BREAKWATER_OUTBOUND_ALLOW = '127.0.0.1';
const SECRET = `whsec_${Buffer.from('registry-test-secret-0123456789').toString('base64')}`;
let database: Awaited<ReturnType<typeof migratedDatabase>>;
let upstream: TestUpstream;

before(async () => {
  database = await migratedDatabase();
  process.env.DATABASE_URL = database.url;
  upstream = await startTestUpstream();
});

after(async () => {
  await getRecorder().stop();
  await getDb().$disconnect();
  await upstream.close();
  await database.drop();
});

async function recorded(kind: Parameters<typeof deliveryIntegrationSlug>[0]) {
  await getRecorder().flush();
  const owner = await database.db.integration.findUniqueOrThrow({
    where: { workspaceId_slug: { workspaceId: 'default', slug: deliveryIntegrationSlug(kind) } },
  });
  const calls = await database.db.callLog.findMany({ where: { integrationId: owner.id } });
  const rollups = await database.db.metricRollup.findMany({ where: { integrationId: owner.id } });
  return { calls, rollups };
}

test('an alert notification is in the call log and the rollups', async () => {
  const channel = {
    id: 'c1',
    name: 'ops',
    kind: 'webhook',
    url: `${upstream.url}/notify`,
    secretEnv: 'BREAKWATER_SECRET_REG_HOOK',
  };
  const group = {
    id: 'msg_registry1',
    status: 'firing' as const,
    at: new Date(),
    rule: {
      id: 'r1',
      name: 'High',
      severity: 'critical',
      metric: 'error_rate' as const,
      comparator: '>',
      threshold: 5,
      window: '5m',
    },
    alerts: [],
  };
  const result = await deliver(channel, group, { BREAKWATER_SECRET_REG_HOOK: SECRET });
  assert.deepEqual(result, { channel: 'ops', ok: true, status: 200, attempts: 1 });
  const { calls, rollups } = await recorded('alerts');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].method, 'POST');
  assert.equal(calls[0].status, 200);
  assert.equal(calls[0].route, '/notify');
  assert.ok(!calls[0].requestHeaders.includes(SECRET));
  assert.equal(rollups.find((r) => r.bucketSeconds === 60)?.count, 1);
});

test('a sync sink delivery is in the call log and the rollups', async () => {
  await deliverPage(
    {
      syncId: 's1',
      slug: 'orders',
      integration: 'shop',
      url: `${upstream.url}/fail`,
      secretEnv: 'BREAKWATER_SECRET_REG_SINK',
      from: null,
      next: 'n1',
      items: [{ id: 'i1', at: null, payload: { id: 'i1' } }],
    },
    AbortSignal.timeout(60_000),
    { ...process.env, BREAKWATER_SECRET_REG_SINK: SECRET },
  ).then(
    () => assert.fail('a 500 is not delivered'),
    (error: Error) => assert.equal(error.message, 'the sink answered 500'),
  );
  const { calls, rollups } = await recorded('sync-sink');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].route, '/fail');
  assert.equal(calls[0].attemptCount, 3, 'the sink policy retries twice');
  assert.equal(rollups.find((r) => r.bucketSeconds === 60)?.count, 1);
});

test('a job completion webhook is in the rollups', async () => {
  const { sendCompletionWebhook } = await import('@/lib/jobs/completion');
  assert.equal(await sendCompletionWebhook(`${upstream.url}/done`, SECRET, 'msg_job1', '{}'), 'answered 200');
  const { rollups } = await recorded('job-completion');
  assert.equal(rollups.find((r) => r.bucketSeconds === 60)?.count, 1);
});

test('a delivery to a refused address is refused by the destination policy and recorded', async () => {
  const { sendCompletionWebhook } = await import('@/lib/jobs/completion');
  const answer = await sendCompletionWebhook('http://169.254.169.254/latest', SECRET, 'msg_job2', '{}');
  assert.match(answer, /^failed: /);
  const { rollups } = await recorded('job-completion');
  assert.equal(
    rollups.reduce((sum, r) => sum + (r.bucketSeconds === 60 ? r.count : 0), 0),
    2,
  );
});

test("a client is rebuilt when its integration's slug changes, and kept when only its policy does", async () => {
  const db = getDb();
  const created = await createIntegration(
    db,
    'default',
    integrationSchema.parse({ name: 'Shop', slug: 'shop', baseUrl: upstream.url }),
  );
  const first = clientFor(created);
  const retuned = await updateIntegration(db, 'default', 'shop', { policy: { retry: { maxRetries: 1 } } });
  assert.ok(retuned?.ok);
  assert.equal(clientFor(retuned.integration), first);
  const renamed = await updateIntegration(db, 'default', 'shop', { slug: 'store' });
  assert.ok(renamed?.ok);
  const second = clientFor(renamed.integration);
  assert.notEqual(second, first);
  assert.equal(second.name, 'store');
});
