import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { SECRETS, WebhookHarness } from '../webhooks/support';

// A slow-loris sender: the request head and part of a body announced longer, then nothing more. The data plane
// answers 408 once the body has stalled for BREAKWATER_BODY_TIMEOUT_MS and closes the connection; the server
// goes on serving everyone else, and nothing of the stalled request is stored or forwarded.
const TIMEOUT_MS = 1000;

/** Sends `head` and then `chunks` one by one, `gapMs` apart, and returns all the server sent until it closed. */
function rawExchange(url: string, head: string, chunks: string[], gapMs = 0): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(received).toString()));
    socket.on('connect', async () => {
      socket.write(head);
      for (const chunk of chunks) {
        if (gapMs) await sleep(gapMs);
        if (!socket.destroyed) socket.write(chunk);
      }
    });
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe('a request body that stalls on the data plane', () => {
  const h = new WebhookHarness({ BREAKWATER_BODY_TIMEOUT_MS: String(TIMEOUT_MS) });
  let token = '';

  before(async () => {
    await h.start();
    await h.createSource({
      name: 'Slow',
      slug: 'slow',
      integration: 'app',
      forwardPath: '/hooks',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_WH_STD_SECRET',
    });
    const created = await h.api('/api/tokens', { method: 'POST', body: { name: 'slow loris' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    token = created.body.token;
  });
  after(() => h.stop());

  test('a webhook whose body stalls is answered 408 and closed, while other requests are served', async () => {
    const host = new URL(h.server.url).host;
    const head = `POST /api/webhooks/slow HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n`;
    const stalled = rawExchange(h.server.url, head, ['{"type":"half']);
    // While that one hangs, the server answers others.
    const health = await fetch(`${h.server.url}/api/health`);
    assert.equal(health.status, 200);
    const answer = await stalled;
    assert.equal(statusOf(answer), 408, answer);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    assert.equal(bodyOf(answer).reason, 'body_timeout');
    // Nothing of it was stored.
    const events = await h.api('/api/webhook-events?source=slow');
    assert.equal(events.status, 200, JSON.stringify(events.body));
    assert.equal(events.body.events.length, 0);
    // And a complete delivery right after is accepted.
    const body = JSON.stringify({ type: 'after.stall' });
    const at = new Date();
    const signed = new Webhook(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET).sign('msg_after_stall', at, body);
    const delivered = await h.deliver('slow', body, {
      'webhook-id': 'msg_after_stall',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signed,
    });
    assert.equal(delivered.status, 200, JSON.stringify(delivered.body));
  });

  test('a gateway request whose body stalls is answered 408, and its upstream never gets a whole request', async () => {
    const host = new URL(h.server.url).host;
    const head = `POST /api/gw/app/stalled HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n`;
    const answer = await rawExchange(h.server.url, head, ['5\r\nhello\r\n']);
    assert.equal(statusOf(answer), 408, answer);
    assert.equal(bodyOf(answer).reason, 'body_timeout');
    assert.equal(h.receiver.requests.filter((r) => r.path.endsWith('/stalled')).length, 0);
  });

  test('a body that keeps coming, however slowly, is not cut: the limit is between two reads', async () => {
    const host = new URL(h.server.url).host;
    const parts = Array.from({ length: 8 }, (_, i) => `part${i};`);
    const length = parts.join('').length;
    const head = `POST /api/gw/app/trickle HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\ncontent-type: text/plain\r\ncontent-length: ${length}\r\nconnection: close\r\n\r\n`;
    // 8 parts TIMEOUT_MS / 4 apart: twice the timeout in all, never a stall of one.
    const answer = await rawExchange(h.server.url, head, parts, TIMEOUT_MS / 4);
    assert.equal(statusOf(answer), 204, answer);
    const forwarded = h.receiver.requests.find((r) => r.path.endsWith('/trickle'));
    assert.equal(forwarded?.body.toString(), parts.join(''));
  });
});
