import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createDb, type Db } from '@/lib/db';
import { eventually, SECRETS, WebhookHarness } from './support';

// Group commit on the production server: 200 signed deliveries at once, some of them redeliveries of
// others (sent at the same time, so that an original and its repeats share a batch). Every one is
// answered, each event is stored once with its forward job, every repeat is answered as a duplicate of
// the stored event, the counts are exact, and each event reaches the application once.

const UNIQUE = 150;
const REPEATS = 50;
const h = new WebhookHarness();
const signer = new Webhook(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET);
let db: Db;

before(async () => {
  await h.start();
  db = createDb(h.database.url);
  await h.createSource({
    name: 'Group commit',
    slug: 'grouped',
    integration: 'app',
    forwardPath: '/hooks/grouped',
    scheme: 'standard',
    secretEnv: 'BREAKWATER_SECRET_WH_STD_SECRET',
  });
});

after(async () => {
  await db?.$disconnect();
  await h.stop();
});

function signed(marker: string) {
  const id = `msg_${marker}`;
  const body = JSON.stringify({ type: 'payment.succeeded', marker });
  const at = new Date();
  return {
    id,
    body,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(id, at, body),
    },
  };
}

test('200 concurrent deliveries with redeliveries among them: each stored once with its job, repeats answered with its id, forwarded once', async () => {
  const originals = Array.from({ length: UNIQUE }, () => signed(randomUUID()));
  // Each repeat is the same delivery sent again (its sender's retry), interleaved with the originals.
  const repeats = Array.from({ length: REPEATS }, (_, i) => originals[(i * 7) % UNIQUE]);
  const sent = originals.flatMap((delivery, i) => (i < REPEATS ? [delivery, repeats[i]] : [delivery]));
  assert.equal(sent.length, UNIQUE + REPEATS);

  const answers = await Promise.all(sent.map((d) => h.deliver('grouped', d.body, d.headers)));
  for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));

  const stored = await db.webhookEvent.findMany({ where: { source: { slug: 'grouped' } } });
  assert.equal(stored.length, UNIQUE, 'each delivery stored once');
  const storedId = new Map(stored.map((event) => [event.dedupKey, event.id]));
  const firsts = new Map<string, number>();
  sent.forEach((delivery, i) => {
    const { id, duplicate } = answers[i].body;
    assert.equal(id, storedId.get(delivery.id), 'every answer names the stored event');
    if (!duplicate) firsts.set(delivery.id, (firsts.get(delivery.id) ?? 0) + 1);
  });
  assert.equal(firsts.size, UNIQUE, 'every delivery was first answered as new once');
  assert.ok(
    [...firsts.values()].every((n) => n === 1),
    'no delivery answered as new twice',
  );
  assert.equal(
    stored.reduce((sum, event) => sum + event.duplicates, 0),
    REPEATS,
    'each repeat is counted on its event',
  );

  const jobs = await db.job.findMany({ where: { id: { in: stored.map((event) => event.jobId!) } } });
  assert.equal(jobs.length, UNIQUE, 'every stored event has its forward job');
  for (const job of jobs) {
    assert.equal(job.source, 'webhook');
    assert.equal(job.path, '/hooks/grouped');
    assert.ok(storedId.has(job.idempotencyKey), 'the dedup key is the idempotency key');
  }

  await eventually('every event to be forwarded', () =>
    originals.every((d) => h.receiver.carrying(JSON.parse(d.body).marker).length > 0) ? true : undefined,
  );
  const effects = h.receiver.effectsByKey();
  for (const delivery of originals) assert.equal(effects.get(delivery.id), 1, `${delivery.id} forwarded once`);
  const forwarded = h.receiver.requests.filter((r) => r.path === '/app/hooks/grouped');
  assert.equal(forwarded.length, UNIQUE, 'nothing else was forwarded');

  const counts = await h.counts('grouped');
  assert.equal(counts.received, UNIQUE);
  assert.equal(counts.duplicate, REPEATS);
});
