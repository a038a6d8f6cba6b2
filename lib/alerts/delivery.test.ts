import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { getDb } from '@/lib/db';
import { verifyWebhook } from '@/lib/standard-webhooks';
import { getRecorder } from '@/lib/telemetry';
import { migratedDatabase } from '../../test/telemetry/support';
import { deliver } from './delivery';
import type { AlertGroup } from './messages';

// Delivery to a local receiver through the resilient client: retried with the same message id and
// signature, Slack bodies to the URL read from the variable, and configuration problems reported.
// The receiver is on loopback: allowed as an operator would (the policy is built at the first delivery).
process.env.BREAKWATER_OUTBOUND_ALLOW = '127.0.0.1';
const SECRET = `whsec_${Buffer.from('delivery-test-secret-0123456789').toString('base64')}`;
let server: Server;
let url: string;
// deliveries are recorded (the registry attaches telemetry), so they need a database
let database: Awaited<ReturnType<typeof migratedDatabase>>;
let failuresLeft = 0;
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];

const group: AlertGroup = {
  id: 'msg_delivery1',
  status: 'firing',
  at: new Date('2026-11-26T10:00:00Z'),
  rule: {
    id: 'r1',
    name: 'High error rate',
    severity: 'critical',
    metric: 'error_rate',
    comparator: '>',
    threshold: 5,
    window: '5m',
  },
  alerts: [
    {
      integration: 'payments',
      status: 'firing',
      value: 12.5,
      since: new Date('2026-11-26T09:59:00Z'),
      labels: { alertname: 'High error rate', integration: 'payments', severity: 'critical' },
      annotations: { summary: 'payments: error rate 12.5% above 5.0%' },
      links: {
        integration: 'https://bw.example.com/integrations/payments',
        explorer: 'https://bw.example.com/explorer?integration=payments',
      },
    },
  ],
};

before(async () => {
  database = await migratedDatabase();
  process.env.DATABASE_URL = database.url;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (failuresLeft-- > 0) res.writeHead(503).end();
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await getRecorder().stop();
  await getDb().$disconnect();
  await database.drop();
});

test('a webhook that fails with 503 is retried with the same id and signature, and verifies', async () => {
  received.length = 0;
  failuresLeft = 1;
  const channel = {
    id: 'c1',
    name: 'ops',
    kind: 'webhook',
    url: `${url}/hooks/ops?team=billing`,
    secretEnv: 'BREAKWATER_SECRET_OPS_HOOK',
  };
  const nowS = Math.floor(Date.now() / 1000);
  const result = await deliver(channel, group, { BREAKWATER_SECRET_OPS_HOOK: SECRET }, nowS);
  assert.deepEqual(result, { channel: 'ops', ok: true, status: 204, attempts: 2 });
  assert.equal(received.length, 2);
  assert.equal(received[0].path, '/hooks/ops?team=billing');
  assert.equal(received[0].headers['webhook-id'], 'msg_delivery1');
  assert.equal(received[1].headers['webhook-signature'], received[0].headers['webhook-signature']);
  const { headers, body } = received[1];
  const signed = {
    id: String(headers['webhook-id']),
    timestamp: String(headers['webhook-timestamp']),
    signature: String(headers['webhook-signature']),
  };
  assert.equal(verifyWebhook(SECRET, signed, body, nowS), true);
  const payload = JSON.parse(body);
  assert.equal(payload.type, 'alert.firing');
  assert.equal(payload.data.alerts[0].annotations.summary, 'payments: error rate 12.5% above 5.0%');
});

test('a Slack channel posts mrkdwn text to the URL held by its variable', async () => {
  received.length = 0;
  const channel = { id: 'c2', name: 'slack', kind: 'slack', url: null, secretEnv: 'BREAKWATER_SECRET_SLACK_URL' };
  const result = await deliver(channel, group, { BREAKWATER_SECRET_SLACK_URL: `${url}/services/T0/B0/xyz` });
  assert.equal(result.ok, true);
  assert.equal(received[0].path, '/services/T0/B0/xyz');
  const text: string = JSON.parse(received[0].body).text;
  assert.match(text, /\[FIRING\] High error rate \(critical\): payments 12\.5%; error rate > 5\.0% over 5m/);
  assert.match(text, /<https:\/\/bw\.example\.com\/integrations\/payments\|integration>/);
  assert.match(text, /<https:\/\/bw\.example\.com\/explorer\?integration=payments\|calls>/);
});

test('an unset variable or a secret that is not whsec_ base64 is reported, not thrown', async () => {
  const channel = {
    id: 'c3',
    name: 'ops',
    kind: 'webhook',
    url: `${url}/hooks`,
    secretEnv: 'BREAKWATER_SECRET_MISSING',
  };
  assert.deepEqual(await deliver(channel, group, {}), {
    channel: 'ops',
    ok: false,
    error: 'the secret variable BREAKWATER_SECRET_MISSING is not set on the server',
  });
  const bad = await deliver(channel, group, { BREAKWATER_SECRET_MISSING: 'whsec_' });
  assert.equal(bad.ok, false);
  assert.match(bad.error ?? '', /whsec_ followed by base64/);
});

test('a variable that is not exposed, or a secret pinned to another origin, is refused before anything is sent', async () => {
  received.length = 0;
  const home = { id: 'c4', name: 'probe', kind: 'webhook', url: `${url}/hooks`, secretEnv: 'HOME' };
  const refused = await deliver(home, group, { HOME: '/root' });
  assert.equal(refused.ok, false);
  assert.match(refused.error ?? '', /HOME is not an exposed secret/);
  const pinned = {
    id: 'c5',
    name: 'pinned',
    kind: 'webhook',
    url: `${url}/hooks`,
    secretEnv: 'BREAKWATER_SECRET_OPS_HOOK',
  };
  const pins = {
    BREAKWATER_SECRET_OPS_HOOK: SECRET,
    BREAKWATER_SECRET_PINS: 'BREAKWATER_SECRET_OPS_HOOK=https://ops.example',
  };
  const elsewhere = await deliver(pinned, group, pins);
  assert.equal(elsewhere.ok, false);
  assert.match(elsewhere.error ?? '', /BREAKWATER_SECRET_OPS_HOOK is pinned/);
  const slack = { id: 'c6', name: 'slack', kind: 'slack', url: null, secretEnv: 'BREAKWATER_SECRET_SLACK_URL' };
  const slackElsewhere = await deliver(slack, group, {
    BREAKWATER_SECRET_SLACK_URL: `${url}/services/T0/B0/xyz`,
    BREAKWATER_SECRET_PINS: 'BREAKWATER_SECRET_SLACK_URL=https://hooks.slack.com',
  });
  assert.equal(slackElsewhere.ok, false, 'a Slack URL outside its pin is not posted to');
  assert.equal(received.length, 0);
});
