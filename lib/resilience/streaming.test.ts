import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ResilientClient } from './client.ts';
import { BulkheadRejectedError, CancelledError, NetworkError, RequestBodyError, TimeoutError } from './errors.ts';
import type { CallSummary } from './events.ts';
import type { PolicyInput } from './options.ts';
import { DEFAULT_BODY_COPY_BYTES } from './streaming.ts';

// Streamed bodies both ways through the whole client, against a real node:http upstream on 127.0.0.1
// whose behaviour each test sets through `handle`.

const MiB = 1024 * 1024;
let origin = '';
let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
const server = createServer((req, res) => handle(req, res));

before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const noCache: PolicyInput = { cache: { enabled: false }, retry: { initialDelayMs: 1, jitter: false } };

function clientWith(policy: PolicyInput = {}) {
  const summaries: CallSummary[] = [];
  const client = new ResilientClient({
    name: 'stream',
    origin,
    policy: { ...noCache, ...policy },
    onEvent: (e) => {
      if (e.type === 'call.end') summaries.push(e.summary);
    },
  });
  return { client, summaries };
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Resolves with whether the upstream received the whole request body before its request closed. */
function upstreamRequestEnd(req: IncomingMessage): Promise<{ complete: boolean; bytes: number }> {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  return new Promise((resolve) => req.on('close', () => resolve({ complete: req.complete, bytes })));
}

test('a small answer that arrives with its headers is complete at once: read() gives the whole body, summarized', async () => {
  const body = randomBytes(300);
  handle = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(body);
  };
  const { client, summaries } = clientWith();
  const response = await client.request({ method: 'GET', path: '/small', streamResponse: true });
  assert.equal(response.streamComplete, true);
  assert.deepEqual(response.stream?.read(), body);
  assert.equal(summaries.length, 1, 'the call ended with its body');
  assert.equal(summaries[0].responseBodyBytes, body.length);
});

test('a 5 MiB answer streams: the reader gets the first bytes before the upstream has sent the rest', async () => {
  const body = randomBytes(5 * MiB);
  let release!: () => void;
  const restMaySend = new Promise<void>((resolve) => {
    release = resolve;
  });
  handle = async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.write(body.subarray(0, 64 * 1024));
    await restMaySend;
    res.end(body.subarray(64 * 1024));
  };
  const { client, summaries } = clientWith();
  const response = await client.request({ method: 'GET', path: '/download', streamResponse: true });
  assert.equal(response.status, 200);
  assert.equal(response.body.length, 0);
  assert.ok(response.stream);
  assert.equal(response.streamComplete, false, 'the rest of the body is still to come');
  const chunks: Buffer[] = [];
  for await (const chunk of response.stream) {
    if (chunks.length === 0) {
      // The upstream is still holding back everything after its first 64 KiB.
      assert.equal(summaries.length, 0, 'the call is not summarized before its body ends');
      release();
    }
    chunks.push(chunk as Buffer);
  }
  assert.equal(sha256(Buffer.concat(chunks)), sha256(body));
  assert.equal(summaries.length, 1);
  const summary = summaries[0];
  assert.equal(summary.outcome, 'success');
  assert.equal(summary.status, 200);
  assert.equal(summary.responseBodyBytes, body.length);
  assert.equal(summary.responseBody?.length, DEFAULT_BODY_COPY_BYTES, 'the call log copy is bounded');
  assert.deepEqual(Buffer.from(summary.responseBody as Uint8Array), body.subarray(0, DEFAULT_BODY_COPY_BYTES));
  await client.close();
});

test('a slow reader pauses the upstream instead of making the client hold the whole body', async () => {
  const total = 32 * MiB;
  let sent = 0;
  handle = (_req, res) => {
    res.writeHead(200, { 'content-length': total });
    const chunk = Buffer.alloc(256 * 1024, 7);
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };
  const { client } = clientWith();
  const response = await client.request({ method: 'GET', path: '/big', streamResponse: true });
  const stream = response.stream as Readable;
  // Nobody reads for a while: with backpressure the client holds about its high-water mark, whatever the wait.
  await delay(300);
  assert.ok(stream.readableLength <= 1 * MiB, `client buffered ${stream.readableLength} bytes`);
  assert.ok(sent < total, 'the upstream could not send everything to a reader that does not read');
  assert.equal((await readAll(stream)).length, total);
  await client.close();
});

test('a body that fails midway errors the stream and is recorded as a failed call', async () => {
  handle = (_req, res) => {
    res.writeHead(200, { 'content-length': MiB });
    res.write(Buffer.alloc(1000, 1), () => setTimeout(() => res.socket?.destroy(), 20));
  };
  const { client, summaries } = clientWith();
  const response = await client.request({ method: 'GET', path: '/broken', streamResponse: true });
  assert.equal(response.status, 200);
  await assert.rejects(readAll(response.stream as Readable), NetworkError);
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0].outcome, 'network');
  assert.equal(summaries[0].status, 200);
  assert.match(summaries[0].errorType ?? '', /^network_/);
  assert.equal(summaries[0].responseBodyBytes, 1000);
  await client.close();
});

test('a retryable status is retried and the second answer is the one streamed', async () => {
  let calls = 0;
  handle = (_req, res) => {
    calls++;
    if (calls === 1) {
      res.writeHead(503);
      res.end('busy');
      return;
    }
    res.end('second answer');
  };
  const { client, summaries } = clientWith();
  const response = await client.request({ method: 'GET', path: '/flaky', streamResponse: true });
  assert.equal(response.status, 200);
  assert.equal((await readAll(response.stream as Readable)).toString(), 'second answer');
  assert.deepEqual(
    response.attempts.map((a) => a.status),
    [503, 200],
  );
  assert.equal(summaries[0].retries, 1);
  await client.close();
});

test('the overall deadline cuts a body that hangs, and the bulkhead slot is held until the body ends', async () => {
  handle = (req, res) => {
    res.writeHead(200, { 'content-length': MiB });
    if (req.url === '/hang') res.write('first bytes');
    else res.end(Buffer.alloc(MiB));
  };
  const { client, summaries } = clientWith({
    timeout: { attemptMs: 200, overallMs: 400 },
    bulkhead: { maxConcurrent: 1, maxQueue: 0 },
  });
  const hanging = await client.request({ method: 'GET', path: '/hang', streamResponse: true });
  await assert.rejects(client.request({ method: 'GET', path: '/other' }), BulkheadRejectedError);
  await assert.rejects(readAll(hanging.stream as Readable), (error: Error) => {
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.scope, 'overall');
    return true;
  });
  const hangSummary = summaries.find((s) => s.path === '/hang');
  assert.equal(hangSummary?.outcome, 'timeout');
  const next = await client.request({ method: 'GET', path: '/other', streamResponse: true });
  assert.equal((await readAll(next.stream as Readable)).length, MiB);
  await client.close();
});

test('a reader that stops aborts the upstream answer and the call is recorded as cancelled', async () => {
  let upstreamClosed!: Promise<boolean>;
  handle = (_req, res) => {
    res.writeHead(200, { 'content-length': 8 * MiB });
    res.write(Buffer.alloc(64 * 1024));
    upstreamClosed = new Promise((resolve) => res.on('close', () => resolve(res.writableFinished)));
  };
  const { client, summaries } = clientWith();
  const response = await client.request({ method: 'GET', path: '/abandoned', streamResponse: true });
  (response.stream as Readable).destroy();
  assert.equal(await upstreamClosed, false, 'the upstream never finished sending');
  assert.equal(summaries[0].outcome, 'cancelled');
  await client.close();
});

test('a pipeline whose destination closes early counts as the caller going away', async () => {
  handle = (_req, res) => {
    res.writeHead(200, { 'content-length': 8 * MiB });
    res.write(Buffer.alloc(64 * 1024));
  };
  const { client, summaries } = clientWith();
  const response = await client.request({ method: 'GET', path: '/piped', streamResponse: true });
  const destination = new Writable({
    write(_chunk, _encoding, callback) {
      callback();
      this.destroy();
    },
  });
  await assert.rejects(pipeline(response.stream as Readable, destination));
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0].outcome, 'cancelled');
  await client.close();
});

test('a cacheable request stays buffered even when a stream is asked for', async () => {
  handle = (_req, res) => res.end('cached');
  const { client } = clientWith({ cache: { enabled: true } });
  const response = await client.request({ method: 'GET', path: '/cacheable', streamResponse: true });
  assert.equal(response.stream, undefined);
  assert.equal(response.body.toString(), 'cached');
  await client.close();
});

test('a large request body streams in one attempt, arrives intact, and is not retried', async () => {
  const body = randomBytes(3 * MiB);
  const received: string[] = [];
  handle = async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push(sha256(Buffer.concat(chunks)));
    res.writeHead(503);
    res.end('try again');
  };
  const { client, summaries } = clientWith();
  const response = await client.request({
    method: 'POST',
    path: '/upload',
    body: Readable.from([body.subarray(0, MiB), body.subarray(MiB)]),
    bodyLength: body.length,
  });
  assert.equal(response.status, 503);
  assert.deepEqual(received, [sha256(body)], 'one attempt, whole body, although 503 is retryable');
  assert.equal(response.attempts.length, 1);
  assert.equal(response.attempts[0].requestBodyStreamed, true);
  assert.equal(summaries[0].requestBodyBytes, body.length);
  assert.equal((summaries[0].requestBody as Uint8Array).length, DEFAULT_BODY_COPY_BYTES);
  await client.close();
});

test('a request body stream that fails midway aborts the upstream request and rejects with its error', async () => {
  let upstream!: Promise<{ complete: boolean; bytes: number }>;
  let arrived!: () => void;
  const upstreamHasRequest = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  handle = (req, res) => {
    upstream = upstreamRequestEnd(req);
    req.on('end', () => res.end('should not happen'));
    arrived();
  };
  const tooLarge = new Error('past the body limit');
  async function* source() {
    yield Buffer.alloc(MiB, 1);
    await upstreamHasRequest;
    yield Buffer.alloc(MiB, 2);
    throw tooLarge;
  }
  const { client, summaries } = clientWith();
  await assert.rejects(
    client.request({ method: 'PUT', path: '/upload', body: Readable.from(source()) }),
    (error: Error) => {
      assert.ok(error instanceof RequestBodyError);
      assert.equal(error.cause, tooLarge);
      return true;
    },
  );
  const seen = await upstream;
  assert.equal(seen.complete, false, 'the upstream saw an aborted request, never a complete one');
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0].outcome, 'client_error');
  assert.equal(summaries[0].errorType, 'request_body');
  assert.equal(summaries[0].attempts.length, 1);
  await client.close();
});

test('a buffered request body is still retried', async () => {
  let calls = 0;
  const received: string[] = [];
  handle = async (req, res) => {
    calls++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push(Buffer.concat(chunks).toString());
    res.writeHead(calls === 1 ? 503 : 201);
    res.end();
  };
  const { client } = clientWith();
  const response = await client.request({ method: 'POST', path: '/small', body: Buffer.from('small body') });
  assert.equal(response.status, 201);
  assert.deepEqual(received, ['small body', 'small body']);
  assert.equal(response.attempts[0].requestBodyStreamed, undefined);
  await client.close();
});

test('a caller cancel cuts a streamed answer', async () => {
  handle = (_req, res) => {
    res.writeHead(200, { 'content-length': MiB });
    res.write('start');
  };
  const controller = new AbortController();
  const { client, summaries } = clientWith();
  const response = await client.request({
    method: 'GET',
    path: '/cancel',
    streamResponse: true,
    signal: controller.signal,
  });
  controller.abort();
  await assert.rejects(readAll(response.stream as Readable), CancelledError);
  assert.equal(summaries[0].outcome, 'cancelled');
  await client.close();
});

test('with hedging, the faster attempt is the one streamed and the slower is aborted', async () => {
  let calls = 0;
  let slowClosed!: Promise<boolean>;
  handle = (_req, res) => {
    calls++;
    if (calls === 1) {
      // Answers nothing until the hedge has won: its connection is cut first.
      slowClosed = new Promise((resolve) => res.on('close', () => resolve(res.headersSent)));
      return;
    }
    res.end('fast answer');
  };
  const { client, summaries } = clientWith({ hedging: { enabled: true, delayMs: 20 } });
  const response = await client.request({ method: 'GET', path: '/hedged', streamResponse: true });
  assert.equal((await readAll(response.stream as Readable)).toString(), 'fast answer');
  assert.equal(await slowClosed, false, 'the slower attempt was aborted before it answered');
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0].outcome, 'success');
  assert.equal(response.attempts.find((a) => a.status === 200)?.hedged, true);
  await client.close();
});
