// receiveWebhook on a real database (SQLite, or PostgreSQL with BREAKWATER_TEST_PROVIDER=postgresql), as the
// node:http handler calls it: header records and a byte stream in, {status, body} out. Two clients on one
// database stand for two instances racing on the same deliveries; a batch whose write fails is answered 503
// with nothing of it stored.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createDb, type Db } from '@/lib/db';
import { createIntegration, integrationSchema } from '@/lib/integrations';
import { createMigratedDatabase, type TestDatabase } from '../../test/support/database';
import { receiveWebhook } from './receive';
import { sourceSchema } from './schema';
import { createSource } from './sources';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
process.env.BREAKWATER_SECRET_INGEST_TEST_WEBHOOK = secret;
process.env.BREAKWATER_SECRET_INGEST_TEST_APP = `app-${randomBytes(8).toString('hex')}`;
process.env.BREAKWATER_OUTBOUND_ALLOW = '127.0.0.1';
const signer = new Webhook(secret);

let database: TestDatabase;
let db: Db;
let other: Db;

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  other = createDb(database.url);
  await createIntegration(
    db,
    'default',
    integrationSchema.parse({
      name: 'Application',
      slug: 'app',
      baseUrl: 'http://127.0.0.1:9/app',
      authScheme: 'bearer',
      secretEnv: 'BREAKWATER_SECRET_INGEST_TEST_APP',
    }),
  );
  await createSource(
    db,
    'default',
    sourceSchema.parse({
      name: 'Payments',
      slug: 'pay',
      integration: 'app',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_INGEST_TEST_WEBHOOK',
    }),
  );
});

after(async () => {
  await other?.$disconnect();
  await db?.$disconnect();
  await database?.drop();
});

async function* chunks(text: string): AsyncIterable<Uint8Array> {
  // Two chunks, as a socket may deliver them.
  const bytes = Buffer.from(text);
  yield bytes.subarray(0, 5);
  yield bytes.subarray(5);
}

function delivery(id: string) {
  const body = JSON.stringify({ type: 'payment.succeeded', id });
  const at = new Date();
  return () => ({
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(id, at, body),
    },
    body: chunks(body),
  });
}

test('two instances receiving the same deliveries at once store each once; the other answers name it as a duplicate', async () => {
  const ids = Array.from({ length: 20 }, (_, i) => `msg_race_${i}`);
  const deliveries = ids.map(delivery);
  const answers = await Promise.all([
    ...deliveries.map((d) => receiveWebhook(db, 'default', 'pay', d())),
    ...deliveries.map((d) => receiveWebhook(other, 'default', 'pay', d())),
  ]);
  const events = await db.webhookEvent.findMany({ where: { dedupKey: { in: ids } } });
  assert.equal(events.length, ids.length);
  const stored = new Map(events.map((event) => [event.dedupKey, event]));
  ids.forEach((id, i) => {
    const pair = [answers[i], answers[i + ids.length]];
    for (const answer of pair) {
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.id, stored.get(id)!.id);
    }
    assert.deepEqual(pair.map((answer) => answer.body.duplicate).sort(), [false, true], `${id}: one new, one repeat`);
    assert.equal(stored.get(id)!.duplicates, 1);
  });
  const jobs = await db.job.findMany({ where: { id: { in: events.map((event) => event.jobId!) } } });
  assert.deepEqual(jobs.map((job) => job.idempotencyKey).sort(), [...ids].sort(), 'one forward job per event');
});

test('a body over the limit without a Content-Length is refused 413 as it is read, nothing stored', async () => {
  const id = 'msg_too_large';
  const body = JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) });
  const at = new Date();
  const answer = await receiveWebhook(db, 'default', 'pay', {
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(id, at, body),
    },
    body: chunks(body),
  });
  assert.equal(answer.status, 413);
  assert.equal(answer.body.reason, 'too_large');
  assert.equal(await db.webhookEvent.count({ where: { dedupKey: id } }), 0);
});

test('a batch that cannot be written is answered 503 and leaves nothing half-written', async () => {
  // The jobs table gone: the batch's events are inserted, its jobs fail, and the transaction rolls back.
  await db.$executeRawUnsafe('DROP TABLE "Job"');
  const before = await db.webhookEvent.count();
  const answers = await Promise.all(
    ['msg_lost_1', 'msg_lost_2'].map((id) => receiveWebhook(db, 'default', 'pay', delivery(id)())),
  );
  for (const answer of answers) {
    assert.equal(answer.status, 503);
    assert.equal(answer.body.reason, 'unavailable');
    assert.equal(typeof answer.body.error, 'string');
  }
  assert.equal(await db.webhookEvent.count(), before, 'no event without its job');
});
