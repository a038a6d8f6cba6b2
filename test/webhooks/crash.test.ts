import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createDb, type Db } from '@/lib/db';
import { eventually, SECRETS, WebhookHarness } from './support';

// Group commit under SIGKILL: deliveries at 50 in flight, the server killed mid-stream and started again
// on the same database. Every delivery answered 200 before the crash is stored with its job and forwarded;
// the senders then retry what was never answered, and each delivery ends up stored exactly once.

const IN_FLIGHT = 50;
/** Acknowledged deliveries after which the server is killed. */
const KILL_AFTER = 300;
// Forwards in flight at the crash are claimed again once their lease expires.
const h = new WebhookHarness({ BREAKWATER_JOB_LEASE_MS: '3000' });
const signer = new Webhook(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET);
let db: Db;

before(async () => {
  await h.start();
  db = createDb(h.database.url);
  await h.createSource({
    name: 'Crash',
    slug: 'crash',
    integration: 'app',
    forwardPath: '/hooks/crash',
    scheme: 'standard',
    secretEnv: 'BREAKWATER_SECRET_WH_STD_SECRET',
  });
});

after(async () => {
  await db?.$disconnect();
  await h.stop();
});

interface Delivery {
  id: string;
  marker: string;
  body: string;
  headers: Record<string, string>;
}

function signed(): Delivery {
  const marker = randomUUID();
  const id = `msg_${marker}`;
  const body = JSON.stringify({ type: 'payment.succeeded', marker });
  const at = new Date();
  return {
    id,
    marker,
    body,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(id, at, body),
    },
  };
}

test('SIGKILL under load: every acknowledged delivery is stored and forwarded, and retries store nothing twice', async () => {
  const sent: Delivery[] = [];
  const acknowledged = new Map<string, string>();
  let killed: Promise<unknown> | undefined;
  const sender = async () => {
    while (!killed) {
      const delivery = signed();
      sent.push(delivery);
      const answer = await h.deliver('crash', delivery.body, delivery.headers).catch(() => null);
      if (answer?.status !== 200) continue;
      assert.equal(answer.body.duplicate, false);
      acknowledged.set(delivery.id, answer.body.id);
      if (acknowledged.size >= KILL_AFTER) killed ??= h.server.stop('SIGKILL');
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
  await killed;
  assert.ok(sent.length > acknowledged.size, 'deliveries were in flight when the server died');

  await h.restart('SIGKILL');
  const events = await db.webhookEvent.findMany({ where: { source: { slug: 'crash' } } });
  const stored = new Map(events.map((event) => [event.dedupKey, event]));
  for (const [id, eventId] of acknowledged) {
    assert.equal(stored.get(id)?.id, eventId, `acknowledged ${id} is stored under the id it was answered with`);
    assert.ok(stored.get(id)!.jobId, `acknowledged ${id} has its forward job`);
  }

  // The senders retry what was never answered: stored already (committed, the answer lost) or not at all.
  const unanswered = sent.filter((delivery) => !acknowledged.has(delivery.id));
  for (const delivery of unanswered) {
    const answer = await h.deliver('crash', delivery.body, delivery.headers);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.duplicate, stored.has(delivery.id), `${delivery.id}: duplicate only if it was stored`);
    if (stored.has(delivery.id)) assert.equal(answer.body.id, stored.get(delivery.id)!.id);
  }

  const after = await db.webhookEvent.findMany({ where: { source: { slug: 'crash' } } });
  assert.equal(after.length, sent.length, 'every delivery stored exactly once');
  const jobs = await db.job.findMany({ where: { id: { in: after.map((event) => event.jobId!) } } });
  assert.equal(jobs.length, sent.length, 'every stored event has its job');

  await eventually('every delivery to be forwarded', () =>
    sent.every((delivery) => h.receiver.carrying(delivery.marker).length > 0) ? true : undefined,
  );
  // A forward repeats only when its job was attempted again after the crash (same idempotency key).
  const attempts = await db.job.findMany({
    where: { id: { in: after.map((event) => event.jobId!) } },
    select: { idempotencyKey: true, attempts: true },
  });
  const effects = h.receiver.effectsByKey();
  for (const job of attempts) {
    const count = effects.get(job.idempotencyKey) ?? 0;
    assert.ok(
      count >= 1 && count <= job.attempts,
      `${job.idempotencyKey}: ${count} forwards, ${job.attempts} attempts`,
    );
  }
});
