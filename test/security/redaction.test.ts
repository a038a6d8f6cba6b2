import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { sqlitePath } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type ApiAnswer, type BreakwaterServer, eventually, signIn, startBreakwater } from '../support/server';

// Plants secrets (the integration's credential, a webhook source's secret, and credentials a caller puts in
// headers, the query and body fields), drives every path that stores or shows something, then searches the
// database (the SQLite file with its WAL/journal, or every PostgreSQL row as text), the server's log and
// the API's answers for every encoding of every planted value.
const tag = randomBytes(4).toString('hex');
// Characters that make every encoding differ from the raw value: / + = " \ space.
const SECRET = `Bw/Pl4nted+S3cret="q\\z" ~k${tag}`;
const WEBHOOK_SECRET = `hmac/Pl4nted+Hook=${tag}`;
const CALLER = {
  stripeSecret: `callerStripe/${tag}+1`,
  privateToken: `callerPrivate/${tag}+2`,
  googKey: `callerGoog/${tag}+3`,
  apiKeyParam: `callerApiKey/${tag}+4`,
  accessTokenParam: `callerAccess/${tag}+5`,
  password: `callerPassword/${tag}+6`,
  cardNumber: '4242424242424242',
  cardCvc: `cvc${tag}`,
  formPassword: `callerForm/${tag}+7`,
  editedHeader: `callerEdited/${tag}+8`,
};

function encodings(value: string): string[] {
  const bytes = Buffer.from(value);
  const url = encodeURIComponent(value);
  return [
    value,
    bytes.toString('base64'),
    bytes.toString('base64url').replace(/=+$/, ''),
    url,
    url.replace(/%20/g, '+'),
    new URLSearchParams({ v: value }).toString().slice(2),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    JSON.stringify(value).slice(1, -1),
  ];
}

const needles: [string, string][] = [
  ...[SECRET, WEBHOOK_SECRET, ...Object.values(CALLER)].flatMap((value) =>
    encodings(value).map((spelling): [string, string] => [value, spelling]),
  ),
  // Basic credentials and "Bearer <secret>" travel base64-encoded with text before the secret.
  [SECRET, Buffer.from(`Bearer ${SECRET}`).toString('base64')],
  [SECRET, Buffer.from(`someone:${SECRET}`).toString('base64')],
];

function assertNoneIn(where: string, haystack: string | Buffer) {
  for (const [value, spelling] of needles)
    assert.equal(haystack.indexOf(spelling), -1, `${where} holds ${value} as ${spelling}`);
}

let database: TestDatabase;
let server: BreakwaterServer;
let upstream: Server;
let upstreamUrl: string;
let cookie: string;
let token: string;
const answers: [string, ApiAnswer][] = [];

/**
 * An upstream that echoes the request (headers, URL, body) and, under innocent names, the credential it
 * received in several encodings; paths containing /fail answer 500.
 */
function startEchoUpstream(): Promise<void> {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const credential = String(req.headers.authorization ?? '');
      if (req.url?.startsWith('/v1/feed')) {
        // A feed whose item echoes the credential.
        const item = { id: `item-${tag}`, seen: credential, seen64: Buffer.from(credential).toString('base64') };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [item], next: null }));
        return;
      }
      const body = JSON.stringify({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        seen: { plain: credential, b64: Buffer.from(credential).toString('base64') },
        seenHex: Buffer.from(credential).toString('hex'),
        seenUrl: encodeURIComponent(credential),
      });
      res.writeHead(req.url?.includes('/fail') ? 500 : 200, { 'content-type': 'application/json' }).end(body);
    });
  });
  return new Promise((resolve) =>
    upstream.listen(0, '127.0.0.1', () => {
      upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

async function api(path: string, method = 'GET', body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { cookie, origin: server.url, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const answer = { status: response.status, body: text ? JSON.parse(text) : null };
  answers.push([`${method} ${path}`, answer]);
  return answer;
}

function gateway(
  integration: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return fetch(`${server.url}/api/gw/${integration}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...init.headers },
    body: init.body,
  });
}

const callerHeaders = {
  'x-stripe-secret': CALLER.stripeSecret,
  'private-token': CALLER.privateToken,
  'x-goog-api-key': CALLER.googKey,
};
const callerQuery = `?api_key=${encodeURIComponent(CALLER.apiKeyParam)}&access_token=${encodeURIComponent(CALLER.accessTokenParam)}&limit=5`;
const callerJson = JSON.stringify({
  amount: 100,
  customer: { password: CALLER.password, card: { number: CALLER.cardNumber, cvc: CALLER.cardCvc } },
});

before(async () => {
  await startEchoUpstream();
  database = await createTestDatabase();
  server = await startBreakwater(database.url, {
    BREAKWATER_SECRET_RED_KEY: SECRET,
    BREAKWATER_SECRET_RED_WEBHOOK: WEBHOOK_SECRET,
    BREAKWATER_OUTBOUND_ALLOW: '127.0.0.1',
    BREAKWATER_SUCCESSES_KEPT_PER_SECOND: '10000',
    BREAKWATER_JOB_POLL_MS: '50',
    BREAKWATER_JOB_BACKOFF_MS: '50,50',
    LOG_LEVEL: 'debug',
  });
  cookie = await signIn(server);
  token = (await api('/api/tokens', 'POST', { name: 'redaction test' })).body.token;
  const policy = { retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 2 }, cache: { enabled: false } };
  for (const [slug, bodyCapture] of [
    ['echo', 'redacted'],
    ['quiet', 'none'],
    ['meta', 'headers'],
  ]) {
    const created = await api('/api/integrations', 'POST', {
      name: slug,
      slug,
      baseUrl: `${upstreamUrl}/v1`,
      authScheme: 'bearer',
      secretEnv: 'BREAKWATER_SECRET_RED_KEY',
      bodyCapture,
      policy,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
});

after(async () => {
  await server?.stop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
  await database?.drop();
});

test('a planted secret, in any encoding, is nowhere in the database, the logs or the API answers', async () => {
  // Gateway calls, succeeding and failing, carrying the caller's credentials in headers, query and body.
  for (const integration of ['echo', 'quiet', 'meta']) {
    const ok = await gateway(integration, `/charges${callerQuery}`, { headers: callerHeaders });
    assert.equal(ok.status, 200);
    assert.ok((await ok.text()).includes(CALLER.stripeSecret), 'the caller gets its upstream answer unchanged');
    const failed = await gateway(integration, `/fail/charges${callerQuery}`, {
      method: 'POST',
      headers: { ...callerHeaders, 'content-type': 'application/json' },
      body: callerJson,
    });
    assert.equal(failed.status, 500);
    await failed.arrayBuffer();
    const form = await gateway(integration, '/fail/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `user=ann&password=${encodeURIComponent(CALLER.formPassword)}`,
    });
    assert.equal(form.status, 500);
    await form.arrayBuffer();
  }
  const calls = await eventually('the calls in the log', async () => {
    const listed = await api('/api/calls?integration=echo&limit=100');
    return listed.body.calls?.length >= 3 ? listed.body.calls : undefined;
  });

  // Replay: as recorded (a GET), and an edited dry run carrying the caller's credentials.
  const get = calls.find((c: { method: string }) => c.method === 'GET');
  const replayed = await api(`/api/calls/${get.id}/replay`, 'POST', { mode: 'edited', edit: { query: 'limit=1' } });
  assert.equal(replayed.status, 200, JSON.stringify(replayed.body));
  const dry = await api(`/api/calls/${get.id}/replay`, 'POST', {
    mode: 'edited',
    dryRun: true,
    edit: {
      method: 'POST',
      query: { api_key: CALLER.apiKeyParam, page: '2' },
      headers: { 'x-stripe-secret': CALLER.editedHeader, 'content-type': 'application/json' },
      body: { password: CALLER.password, note: 'kept' },
    },
  });
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.equal(dry.body.request.headers['x-stripe-secret'], '[redacted]');
  assert.equal(dry.body.request.headers.authorization, '[redacted]');
  assert.match(dry.body.request.url, /api_key=\[redacted\]&page=2/);
  assert.deepEqual(JSON.parse(dry.body.request.body), { password: '[redacted]', note: 'kept' });

  // A job whose upstream answer echoes the credential back.
  const job = await api('/api/jobs', 'POST', { integration: 'echo', method: 'GET', path: '/leak' });
  assert.equal(job.status, 202, JSON.stringify(job.body));
  const done = await eventually('the job to finish', async () => {
    const shown = await api(`/api/jobs/${job.body.id}`);
    return shown.body?.state === 'done' ? shown.body : undefined;
  });
  assert.match(done.result.body, /\[redacted\]/, 'the echoed credential was redacted in the stored result');

  // A signed webhook delivery, forwarded to the echo upstream through the job queue.
  const source = await api('/api/webhook-sources', 'POST', {
    name: 'Hooks',
    slug: 'hooks',
    integration: 'echo',
    scheme: 'hmac',
    secretEnv: 'BREAKWATER_SECRET_RED_WEBHOOK',
    forwardPath: '/hooks',
  });
  assert.equal(source.status, 201, JSON.stringify(source.body));
  // Its body is stored as received (it is what is forwarded), so what it carries is checked where it is shown.
  const delivery = JSON.stringify({ type: 'payment.succeeded', id: `evt_${tag}`, card: { number: `wh-card-${tag}` } });
  const signature = createHmac('sha256', WEBHOOK_SECRET).update(delivery).digest('hex');
  const delivered = await fetch(`${server.url}/api/webhooks/hooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signature },
    body: delivery,
  });
  assert.equal(delivered.status, 200, await delivered.clone().text());
  const eventId = (await delivered.json()).id;
  const event = await eventually('the event forwarded', async () => {
    const shown = await api(`/api/webhook-events/${eventId}`);
    return shown.body?.state === 'forwarded' ? shown.body : undefined;
  });
  assert.equal(event.headers['x-signature'], '[redacted]', 'the signature is verification material, not shown');
  assert.deepEqual(JSON.parse(event.body), { type: 'payment.succeeded', id: `evt_${tag}`, card: '[redacted]' });
  await api('/api/webhook-events?source=hooks');

  // A polling sync whose feed item echoes the credential.
  const sync = await api('/api/syncs', 'POST', {
    slug: 'feed',
    integration: 'echo',
    path: '/feed',
    mode: 'cursor',
    intervalSeconds: 3600,
  });
  assert.equal(sync.status, 201, JSON.stringify(sync.body));
  const items = await eventually('the feed item stored', async () => {
    const stored = await api('/api/syncs/feed/items');
    const failure = (await api('/api/syncs/feed')).body.sync.lastError;
    if (failure) throw new Error(`the sync failed: ${failure}`);
    return stored.body.items?.length ? stored.body.items : undefined;
  });
  assert.equal(items[0].payload.seen, 'Bearer [redacted]');

  // Every call is in the log (9 gateway calls, the replay, the job, the forward, the sync); capture decides what is kept.
  const stored = await eventually('every call in the log', async () => {
    const all = await api('/api/calls?limit=100');
    return all.body.calls?.length >= 13 ? all.body.calls : undefined;
  });
  for (const call of stored) await api(`/api/calls/${call.id}`);
  const detail = async (integration: string) => {
    const call = stored.find(
      (c: { integration: { slug: string }; path: string }) =>
        c.integration.slug === integration && c.path.includes('/fail/charges'),
    );
    return (await api(`/api/calls/${call.id}`)).body.call;
  };
  const echoed = await detail('echo');
  assert.equal(echoed.requestHeaders['x-goog-api-key'], '[redacted]');
  assert.deepEqual(
    JSON.parse(echoed.requestBody),
    { amount: 100, customer: { password: '[redacted]', card: '[redacted]' } },
    'a redacted body keeps what is not a credential',
  );
  assert.match(
    echoed.responseBody,
    /"seenHex":"42656172657220\[redacted\]"/,
    'the echoed credential is redacted by value',
  );
  const quiet = await detail('quiet');
  assert.deepEqual([quiet.requestHeaders, quiet.requestBody, quiet.responseBody], [{}, null, null]);
  const meta = await detail('meta');
  assert.deepEqual(
    [meta.requestHeaders['private-token'], meta.requestBody, meta.responseBody],
    ['[redacted]', null, null],
  );
  assert.equal(meta.requestHeaders['content-type'], 'application/json');

  const code = await server.stop();
  assert.equal(code, 0, 'a clean stop flushes everything');

  for (const [what, answer] of answers) assertNoneIn(`the answer to ${what}`, JSON.stringify(answer.body));
  assertNoneIn('the server log', server.output());
  if (database.provider === 'sqlite') {
    const dir = dirname(sqlitePath(database.url));
    const files = readdirSync(dir);
    assert.ok(files.length >= 1);
    for (const file of files) assertNoneIn(`database file ${file}`, readFileSync(join(dir, file)));
  } else {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows: tables } = await client.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      );
      for (const { table_name: table } of tables) {
        const { rows } = await client.query(`SELECT t::text AS row FROM "${table}" t`);
        assertNoneIn(`table ${table}`, rows.map((r) => r.row).join('\n'));
      }
    } finally {
      await client.end();
    }
  }
});
