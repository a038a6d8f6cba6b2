import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { getDb } from '@/lib/db';
import { getRecorder } from '@/lib/telemetry';
import { migratedDatabase } from '../../test/telemetry/support';
import {
  createIntegration,
  forwardCall,
  type GatewayBodyLimits,
  gatewayErrorAnswer,
  gatewayRequestBody,
  type Integration,
  integrationSchema,
} from '.';

// The gateway's body handling end to end, on real node:http servers on 127.0.0.1: a caller, a small
// gateway built from gatewayRequestBody + forwardCall as the data plane's handler uses them, and an
// upstream that records what it received and whether the request it saw was complete.
process.env.BREAKWATER_OUTBOUND_ALLOW = '127.0.0.1';

const KiB = 1024;
const MiB = 1024 * KiB;
const limits: GatewayBodyLimits = { maxBytes: 4 * MiB, retryBufferBytes: 64 * KiB };

interface Received {
  path: string;
  sha256: string;
  bytes: number;
  complete: boolean;
}

let database: Awaited<ReturnType<typeof migratedDatabase>>;
let integration: Integration;
let upstream: Server;
let gateway: Server;
let gatewayUrl = '';
const received: Received[] = [];
const download = randomBytes(5 * MiB);
let flakySeen = 0;

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

before(async () => {
  database = await migratedDatabase();
  process.env.DATABASE_URL = database.url;
  upstream = createServer((req, res) => {
    if (req.url === '/download') return void res.end(download);
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    req.on('close', () => {
      received.push({ path: req.url ?? '', sha256: hash.digest('hex'), bytes, complete: req.complete });
    });
    req.on('end', () => {
      if (req.url === '/flaky' && flakySeen++ === 0) res.writeHead(503);
      res.end(String(bytes));
    });
  });
  const upstreamUrl = await listen(upstream);
  integration = await createIntegration(
    getDb(),
    'default',
    integrationSchema.parse({
      name: 'Files',
      slug: 'files',
      baseUrl: upstreamUrl,
      policy: { cache: { enabled: false }, retry: { initialDelayMs: 1, jitter: false } },
    }),
  );
  gateway = createServer(async (req: IncomingMessage, res) => {
    const requestId = randomUUID();
    try {
      const body = await gatewayRequestBody(req, limits);
      const response = await forwardCall(integration, {
        method: req.method ?? 'GET',
        segments: (req.url ?? '/').slice(1).split('/'),
        search: '',
        headers: {},
        ...('stream' in body ? { body: body.stream, bodyLength: body.length } : { body: body.body }),
        streamResponse: true,
        requestId,
      });
      res.writeHead(response.status, { 'x-breakwater-attempts': String(response.attempts.length) });
      if (response.stream) await pipeline(response.stream, res);
      else res.end(response.body);
    } catch (error) {
      const answer = gatewayErrorAnswer(error, requestId);
      // The caller may still be sending: the connection closes after the answer.
      res.writeHead(answer.status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(answer.body));
    }
  });
  gatewayUrl = await listen(gateway);
});

after(async () => {
  await getRecorder().stop();
  await getDb().$disconnect();
  gateway.closeAllConnections();
  gateway.close();
  upstream.closeAllConnections();
  upstream.close();
  await database.drop();
});

interface Answer {
  status: number;
  attempts: number;
  body: Buffer;
}

/**
 * Sends `chunks` to the gateway (with content-length when `declared` is given, else chunked) and resolves
 * with its answer; stops sending once the answer arrives, as a client given a 413 does.
 */
function send(path: string, chunks: Buffer[], declared?: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (declared !== undefined) headers['content-length'] = String(declared);
    let answered = false;
    const req = httpRequest(`${gatewayUrl}${path}`, { method: 'POST', headers }, async (res) => {
      answered = true;
      const parts: Buffer[] = [];
      for await (const part of res) parts.push(part as Buffer);
      resolve({
        status: res.statusCode ?? 0,
        attempts: Number(res.headers['x-breakwater-attempts'] ?? 0),
        body: Buffer.concat(parts),
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    (async () => {
      for (const chunk of chunks) {
        if (answered || req.destroyed) return;
        if (!req.write(chunk)) await once(req, 'drain').catch(() => undefined);
      }
      if (declared === undefined || declared === chunks.reduce((n, c) => n + c.length, 0)) req.end();
    })();
  });
}

function pieces(body: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) parts.push(body.subarray(at, at + size));
  return parts;
}

async function receivedAt(path: string): Promise<Received> {
  for (;;) {
    const found = received.find((r) => r.path === path);
    if (found) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('a body past the retry buffer with a declared length streams upstream in one attempt, intact', async () => {
  const body = randomBytes(2 * MiB);
  const answer = await send('/declared', pieces(body, 100 * KiB), body.length);
  assert.equal(answer.status, 200);
  assert.equal(answer.body.toString(), String(body.length));
  assert.equal(answer.attempts, 1);
  const seen = await receivedAt('/declared');
  assert.equal(seen.sha256, sha256(body));
  assert.equal(seen.complete, true);
  await getRecorder().flush();
  const logged = await database.db.callLog.findFirst({ where: { path: '/declared' } });
  const more = Number(/…\[(\d+) more bytes\]$/.exec(logged?.requestBody ?? '')?.[1]);
  assert.ok(more >= body.length - 4096, 'the call log keeps a bounded copy, marked as cut');
});

test('a chunked body that outgrows the retry buffer streams whole, the bytes read before included', async () => {
  const body = randomBytes(MiB + 123);
  const answer = await send('/chunked', pieces(body, 16 * KiB));
  assert.equal(answer.status, 200);
  assert.equal((await receivedAt('/chunked')).sha256, sha256(body));
});

test('a small chunked body is buffered, so a retryable answer is retried with the same body', async () => {
  const body = randomBytes(10 * KiB);
  const answer = await send('/flaky', pieces(body, 1000));
  assert.equal(answer.status, 200);
  assert.equal(answer.attempts, 2);
  const attempts = received.filter((r) => r.path === '/flaky');
  assert.deepEqual(
    attempts.map((r) => r.sha256),
    [sha256(body), sha256(body)],
  );
});

test('a declared length past the limit is a 413 before anything reaches the upstream', async () => {
  const answer = await send('/declared-too-large', [Buffer.alloc(KiB)], 5 * MiB);
  assert.equal(answer.status, 413);
  assert.equal(JSON.parse(answer.body.toString()).field, '(body)');
  assert.equal(
    received.some((r) => r.path === '/declared-too-large'),
    false,
  );
});

test('a chunked body that passes the limit midway is a 413, and the upstream sees an aborted request', async () => {
  const answer = await send('/too-large', pieces(Buffer.alloc(6 * MiB, 3), 64 * KiB));
  assert.equal(answer.status, 413);
  const error = JSON.parse(answer.body.toString());
  assert.equal(error.field, '(body)');
  assert.match(error.error, /exceeds/);
  const seen = await receivedAt('/too-large');
  assert.equal(seen.complete, false, 'the upstream never got a complete request');
  assert.ok(seen.bytes <= limits.maxBytes, 'nothing past the limit was sent');
  await getRecorder().flush();
  const logged = await database.db.callLog.findFirst({ where: { path: '/too-large' } });
  assert.equal(logged?.errorType, 'request_body');
  assert.equal(logged?.attemptCount, 1);
});

test('a download streams through the gateway intact', async () => {
  const answer = await new Promise<Answer>((resolve, reject) => {
    httpRequest(`${gatewayUrl}/download`, async (res) => {
      const parts: Buffer[] = [];
      for await (const part of res) parts.push(part as Buffer);
      resolve({ status: res.statusCode ?? 0, attempts: 0, body: Buffer.concat(parts) });
    })
      .on('error', reject)
      .end();
  });
  assert.equal(answer.status, 200);
  assert.equal(sha256(answer.body), sha256(download));
});
