import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { type SecurityHarness, startHarness } from '../security/support';
import { PASS_THROUGH_POLICY } from '../support/server';

// Streaming bodies through the gateway of a running Breakwater: a large download reaches the caller as the
// upstream sends it, a large upload reaches the upstream whole, and an upload that passes the body limit
// midway is a 413 for the caller and an aborted request for the upstream, never a cut body.

const KiB = 1024;
const MiB = 1024 * KiB;
const MAX_BODY_BYTES = 4 * MiB;

interface Received {
  path: string;
  sha256: string;
  bytes: number;
  complete: boolean;
}

let h: SecurityHarness;
let upstream: Server;
const received: Received[] = [];
const download = randomBytes(5 * MiB);
let releaseDownload: () => void = () => {};

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

before(async () => {
  upstream = createServer((req, res) => {
    if (req.url === '/files/download') {
      // Sends the first 64 KiB, then the rest only once the test has seen those reach the caller.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': download.length });
      res.write(download.subarray(0, 64 * KiB));
      new Promise<void>((resolve) => {
        releaseDownload = resolve;
      }).then(() => res.end(download.subarray(64 * KiB)));
      return;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    req.on('close', () => {
      received.push({ path: req.url ?? '', sha256: hash.digest('hex'), bytes, complete: req.complete });
    });
    req.on('end', () => res.end(String(bytes)));
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  h = await startHarness({ BREAKWATER_MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
  const created = await h.api('/api/integrations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Files',
      slug: 'files',
      baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/files`,
      authScheme: 'none',
      policy: PASS_THROUGH_POLICY,
    }),
  });
  assert.equal(created.status, 201, await created.text());
});

after(async () => {
  await h.stop();
  upstream.closeAllConnections();
  upstream.close();
});

async function receivedAt(path: string): Promise<Received> {
  for (;;) {
    const found = received.find((r) => r.path === path);
    if (found) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A gateway POST of `chunks` (chunked), answered before or after the whole body was sent. */
function upload(path: string, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      `${h.server.url}/api/gw/files${path}`,
      { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/octet-stream' } },
      async (res) => {
        answered = true;
        let body = '';
        for await (const part of res) body += part;
        resolve({ status: res.statusCode ?? 0, body });
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    (async () => {
      for (const chunk of chunks) {
        if (answered || req.destroyed) return;
        if (!req.write(chunk)) await once(req, 'drain').catch(() => undefined);
      }
      req.end();
    })();
  });
}

function pieces(body: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) parts.push(body.subarray(at, at + size));
  return parts;
}

test('a large download streams: the caller reads the first bytes before the upstream has sent the rest', async () => {
  const response = await fetch(`${h.server.url}/api/gw/files/download`, {
    headers: { authorization: `Bearer ${h.token}` },
  });
  assert.equal(response.status, 200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let first = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    if (first) {
      first = false;
      releaseDownload();
    }
  }
  assert.equal(sha256(Buffer.concat(chunks)), sha256(download));
});

test('a large upload reaches the upstream whole, in one attempt', async () => {
  const body = randomBytes(3 * MiB);
  const answer = await upload('/upload', pieces(body, 64 * KiB));
  assert.equal(answer.status, 200, answer.body);
  assert.equal(answer.body, String(body.length));
  const seen = await receivedAt('/files/upload');
  assert.equal(seen.sha256, sha256(body));
  assert.equal(seen.complete, true);
});

test('an upload that passes the limit midway is a 413, and the upstream never gets a complete request', async () => {
  const answer = await upload('/too-large', pieces(Buffer.alloc(MAX_BODY_BYTES + MiB, 7), 64 * KiB));
  assert.equal(answer.status, 413, answer.body);
  assert.equal(JSON.parse(answer.body).field, '(body)');
  // A request after it, seen by the upstream, bounds what the upstream got of the one cut: either nothing
  // (the limit was passed before the upstream request started) or an aborted request, never a whole one.
  const after = await upload('/after', [Buffer.from('next')]);
  assert.equal(after.status, 200);
  await receivedAt('/files/after');
  for (const seen of received.filter((r) => r.path === '/files/too-large')) {
    assert.equal(seen.complete, false, 'the upstream saw the request aborted');
    assert.ok(seen.bytes <= MAX_BODY_BYTES);
  }
});
