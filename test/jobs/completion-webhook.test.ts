import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { eventually, JobsHarness, SECRET } from './support';

// The job completion webhook as a receiver checks it: signed per Standard Webhooks, verified here with the
// `standardwebhooks` package (the reference implementation, independent of Breakwater's own signer).
const HOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const h = new JobsHarness({ BREAKWATER_SECRET_JOB_HOOK: HOOK_SECRET });

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}
const deliveries: Delivery[] = [];
let receiver: Server;
let receiverUrl: string;

before(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      deliveries.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/job-hooks`;
  await h.start();
});

after(async () => {
  await h.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

const signatureHeaders = (d: Delivery) => ({
  'webhook-id': String(d.headers['webhook-id']),
  'webhook-timestamp': String(d.headers['webhook-timestamp']),
  'webhook-signature': String(d.headers['webhook-signature']),
});

async function deliveryFor(jobId: string): Promise<Delivery> {
  return eventually(`the completion webhook of job ${jobId}`, async () =>
    deliveries.find((d) => d.headers['webhook-id'] === `msg_${jobId}`),
  );
}

async function enqueue(path: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await h.api('/api/jobs', {
    method: 'POST',
    body: {
      integration: 'demo',
      method: 'POST',
      path,
      body: { amount: 7 },
      completionWebhook: { url: receiverUrl, secretEnv: 'BREAKWATER_SECRET_JOB_HOOK' },
      ...extra,
    },
  });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  return created.body.id;
}

test('a completed job and a dead-lettered job each send a webhook that verifies with the reference verifier', async () => {
  await h.setFault({ route: '/demo/hook-dead', mode: 'fail', failStatus: 503 });
  const doneId = await enqueue('/hook-done');
  const deadId = await enqueue('/hook-dead', { maxAttempts: 2 });
  const verifier = new Webhook(HOOK_SECRET);

  for (const [id, type, state] of [
    [doneId, 'job.completed', 'done'],
    [deadId, 'job.dead_lettered', 'dead'],
  ] as const) {
    const delivery = await deliveryFor(id);
    assert.equal(delivery.headers['content-type'], 'application/json');
    const payload = verifier.verify(delivery.body, signatureHeaders(delivery)) as {
      type: string;
      data: { id: string; state: string; attempts: number; request: { path: string }; completionWebhook: unknown };
    };
    assert.equal(payload.type, type);
    assert.equal(payload.data.id, id);
    assert.equal(payload.data.state, state);
    assert.equal(payload.data.attempts, state === 'dead' ? 2 : 1);
    // Neither the signing secret nor the integration's key travels in the payload; only the variable's name.
    assert.ok(!delivery.body.includes(HOOK_SECRET.slice('whsec_'.length)), 'no signing secret');
    assert.ok(!delivery.body.includes(SECRET), 'no upstream key');
    assert.match(delivery.body, /BREAKWATER_SECRET_JOB_HOOK/);

    const job = await eventually(`job ${id} to record the delivery`, async () => {
      const { body } = await h.api(`/api/jobs/${id}`);
      return body.completionWebhook?.status ? body : undefined;
    });
    assert.equal(job.completionWebhook.status, 'answered 204');
  }
  assert.equal(deliveries.filter((d) => d.headers['webhook-id'] === `msg_${deadId}`).length, 1, 'sent once');
});

test('a receiver with the wrong secret, or a tampered body, rejects the webhook', async () => {
  const id = await enqueue('/hook-wrong-secret');
  const delivery = await deliveryFor(id);
  const wrong = new Webhook(`whsec_${randomBytes(24).toString('base64')}`);
  assert.throws(() => wrong.verify(delivery.body, signatureHeaders(delivery)), /signature/i);
  const right = new Webhook(HOOK_SECRET);
  assert.throws(
    () => right.verify(delivery.body.replace('"done"', '"dead"'), signatureHeaders(delivery)),
    /signature/i,
  );
  assert.ok(right.verify(delivery.body, signatureHeaders(delivery)));
});

test('a webhook whose secret variable is not set is not sent, and the job says so', async () => {
  const created = await h.api('/api/jobs', {
    method: 'POST',
    body: {
      integration: 'demo',
      method: 'POST',
      path: '/hook-unset',
      completionWebhook: { url: receiverUrl, secretEnv: 'BREAKWATER_SECRET_JOB_HOOK_UNSET' },
    },
  });
  const job = await eventually('the job to record why nothing was sent', async () => {
    const { body } = await h.api(`/api/jobs/${created.body.id}`);
    return body.completionWebhook?.status ? body : undefined;
  });
  assert.equal(job.state, 'done');
  assert.equal(
    job.completionWebhook.status,
    'not sent: the secret variable BREAKWATER_SECRET_JOB_HOOK_UNSET is not set on the server',
  );
  assert.equal(deliveries.filter((d) => d.headers['webhook-id'] === `msg_${created.body.id}`).length, 0);
});
