import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTraffic, type Traffic, type TrafficIntegration } from './traffic.ts';

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

// Stands in for Breakwater's gateway: records every request; answers 503 for e-mail, hangs for `slow`.
let gateway: Server;
let gatewayUrl: string;
const seen: SeenRequest[] = [];
let traffic: Traffic | undefined;

before(async () => {
  gateway = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    gateway.emit('seen');
    if (req.url?.startsWith('/api/gw/slow/')) return;
    res.writeHead(req.url?.startsWith('/api/gw/email/') ? 503 : 200, { 'x-request-id': `req-${seen.length}` });
    res.end('{}');
  });
  gateway.listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await traffic?.stop();
  traffic = undefined;
});

after(async () => {
  gateway.closeAllConnections();
  gateway.close();
});

// Each test uses its own token, so requests a previous test left on the wire are not counted.
function seenWith(token: string): SeenRequest[] {
  return seen.filter((request) => request.headers.authorization === `Bearer ${token}`);
}

async function untilSeen(token: string, count: number): Promise<SeenRequest[]> {
  while (seenWith(token).length < count) await once(gateway, 'seen');
  return seenWith(token);
}

const integrations: TrafficIntegration[] = [
  {
    slug: 'payments',
    routes: [
      { method: 'POST', path: '/v1/charges', weight: 2 },
      { method: 'GET', path: '/v1/charges/:id', weight: 2 },
    ],
  },
  { slug: 'email', routes: [{ method: 'POST', path: '/v3/mail/send' }] },
];

test('calls the gateway paths of the given routes with the bearer token', async () => {
  traffic = startTraffic({ baseUrl: gatewayUrl, token: 'tok_demo', integrations, ratePerSec: 400, seed: 3 });
  const requests = await untilSeen('tok_demo', 40);
  await traffic.stop();

  for (const request of requests) {
    assert.equal(request.headers.authorization, 'Bearer tok_demo');
    assert.match(
      `${request.method} ${request.url}`,
      /^(POST \/api\/gw\/payments\/v1\/charges|GET \/api\/gw\/payments\/v1\/charges\/id_\d+|POST \/api\/gw\/email\/v3\/mail\/send)$/,
    );
  }
  const posts = requests.filter((request) => request.method === 'POST');
  assert.ok(posts.length > 0 && posts.length < requests.length, 'both methods are used');
  for (const post of posts) {
    assert.equal(post.headers['content-type'], 'application/json');
    assert.doesNotThrow(() => JSON.parse(post.body));
  }
  assert.ok(posts.some((post) => post.headers['idempotency-key']));
  assert.ok(requests.some((request) => request.url.startsWith('/api/gw/email/')));

  const stats = traffic.stats();
  assert.ok(stats.sent >= requests.length);
  assert.ok(stats.byStatus['200'] > 0 && stats.byStatus['503'] > 0, JSON.stringify(stats));
});

test('keeps a base URL path prefix', async () => {
  traffic = startTraffic({ baseUrl: `${gatewayUrl}/breakwater/`, token: 'prefix', integrations, ratePerSec: 200 });
  const [first] = await untilSeen('prefix', 1);
  await traffic.stop();
  assert.match(first.url, /^\/breakwater\/api\/gw\/(payments|email)\//);
});

test('stop() stops sending', async () => {
  traffic = startTraffic({ baseUrl: gatewayUrl, token: 'stop', integrations, ratePerSec: 400 });
  await untilSeen('stop', 5);
  await traffic.stop();
  const sent = traffic.stats().sent;
  await sleep(100); // 40 more requests would be due by now at 400/s
  assert.equal(traffic.stats().sent, sent);
  // Requests already on the wire at stop() may still arrive, but nothing sent after it.
  const arrived = seenWith('stop').length;
  assert.ok(arrived <= sent, `${arrived} arrived, ${sent} sent`);
});

test('never has more than maxInFlight requests waiting', async () => {
  const slow = [{ slug: 'slow', routes: [{ method: 'GET', path: '/wait' }] }];
  traffic = startTraffic({
    baseUrl: gatewayUrl,
    token: 'bounded',
    integrations: slow,
    ratePerSec: 1000,
    maxInFlight: 3,
  });
  await untilSeen('bounded', 3);
  await sleep(100); // 100 more would be due at 1000/s if nothing bounded them
  assert.equal(seenWith('bounded').length, 3);
  assert.equal(traffic.stats().sent, 3);
  assert.ok(traffic.stats().dropped > 0);
  await traffic.stop(); // aborts the hung requests rather than waiting for them
});

test('ends by itself after durationMs or when its signal aborts', async () => {
  traffic = startTraffic({ baseUrl: gatewayUrl, token: 't', integrations, ratePerSec: 100, durationMs: 50 });
  await traffic.finished;

  const controller = new AbortController();
  traffic = startTraffic({ baseUrl: gatewayUrl, token: 't', integrations, signal: controller.signal });
  controller.abort();
  await traffic.finished;
});
