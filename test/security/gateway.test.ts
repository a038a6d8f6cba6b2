import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Client } from 'undici';
import { PASS_THROUGH_POLICY } from '../support/server';
import { type RecordingUpstream, type SecurityHarness, startHarness, startRecordingUpstream } from './support';

// The gateway in front of an upstream on 127.0.0.1 that records each request line as it arrived.
let upstream: RecordingUpstream;
let h: SecurityHarness;
const GATEWAY_LIMIT = 10 * 1024 * 1024; // BREAKWATER_MAX_BODY_BYTES left at its default

before(async () => {
  upstream = await startRecordingUpstream();
  h = await startHarness();
  const created = await h.api('/api/integrations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Recorder',
      slug: 'recorder',
      baseUrl: `${upstream.url}/base`,
      authScheme: 'none',
      policy: PASS_THROUGH_POLICY,
    }),
  });
  assert.equal(created.status, 201, await created.text());
});

after(async () => {
  await h?.stop();
  await upstream?.close();
});

/** A gateway request whose target is sent exactly as written (fetch would normalise it). */
async function rawGateway(path: string) {
  const client = new Client(h.server.url);
  try {
    const response = await client.request({ method: 'GET', path, headers: { authorization: `Bearer ${h.token}` } });
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  } finally {
    await client.close();
  }
}

/** POSTs `size` bytes to the gateway, chunked or with a Content-Length, and reads the answer. */
function postLargeBody(size: number, framing: 'chunked' | 'content-length') {
  return new Promise<{ status: number; body: { error?: string; field?: string } }>((resolve, reject) => {
    const url = new URL('/api/gw/recorder/upload', h.server.url);
    const req = httpRequest(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${h.token}`,
        'content-type': 'application/octet-stream',
        ...(framing === 'content-length' ? { 'content-length': String(size) } : {}),
      },
    });
    req.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
    });
    // The server may answer and close before the whole body is written; that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const write = () => {
      while (sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

describe('gateway', () => {
  test('forwards the query string byte for byte, so signed URLs stay valid', async () => {
    const query = '?a=%20&flag&b=x+y&sig=ab%2Fc%3D&empty=&list=1&list=2';
    const before = upstream.received.length;
    const answer = await rawGateway(`/api/gw/recorder/v1/signed${query}`);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(upstream.received.length, before + 1);
    assert.equal(upstream.received.at(-1)?.target, `/base/v1/signed${query}`);
  });

  test("the query forwarded is the request target's: a header (such as the retired raw-query one) cannot change it", async () => {
    const client = new Client(h.server.url);
    try {
      const response = await client.request({
        method: 'GET',
        path: '/api/gw/recorder/v1/items?page=2',
        headers: { authorization: `Bearer ${h.token}`, 'x-breakwater-raw-query': '?page=999' },
      });
      await response.body.text();
      assert.equal(response.statusCode, 200);
    } finally {
      await client.close();
    }
    assert.equal(upstream.received.at(-1)?.target, '/base/v1/items?page=2');
  });

  test('a chunked body over the limit is a 413 and nothing reaches the upstream (never cut and sent)', async () => {
    const before = upstream.received.length;
    const answer = await postLargeBody(GATEWAY_LIMIT + 1024 * 1024, 'chunked');
    assert.equal(answer.status, 413);
    assert.equal(answer.body.field, '(body)');
    assert.equal(upstream.received.length, before, 'nothing forwarded');
  });

  test('a declared Content-Length over the limit is a 413 and nothing reaches the upstream', async () => {
    const before = upstream.received.length;
    const answer = await postLargeBody(GATEWAY_LIMIT + 1, 'content-length');
    assert.equal(answer.status, 413);
    assert.equal(answer.body.field, '(body)');
    assert.equal(upstream.received.length, before, 'nothing forwarded');
  });

  test('a body just under the limit is forwarded whole', async () => {
    const size = GATEWAY_LIMIT - 1024;
    const answer = await postLargeBody(size, 'chunked');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(upstream.received.at(-1)?.bodyBytes, size);
  });

  test('upstream HTML is sandboxed, not sniffed, and cannot set cookies on Breakwater', async () => {
    upstream.answer = {
      status: 200,
      headers: { 'content-type': 'text/html', 'set-cookie': 'upstream_session=planted; Path=/' },
      body: '<script>fetch("/api/tokens")</script>',
    };
    try {
      const answer = await rawGateway('/api/gw/recorder/page.html');
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['content-security-policy'], "sandbox; default-src 'none'");
      assert.equal(answer.headers['set-cookie'], undefined);
    } finally {
      upstream.answer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
    }
  });

  test("the gateway's own refusals carry the same headers", async () => {
    const client = new Client(h.server.url);
    try {
      const response = await client.request({ method: 'GET', path: '/api/gw/recorder/x' });
      await response.body.text();
      assert.equal(response.statusCode, 401);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['content-security-policy'], "sandbox; default-src 'none'");
    } finally {
      await client.close();
    }
  });
});
