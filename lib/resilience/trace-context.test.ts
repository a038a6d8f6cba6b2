import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { ResilientClient } from './client.ts';
import type { CallSummary } from './events.ts';
import { acceptedTracestate, continueTrace, parseTraceparent } from './tracing.ts';

// W3C trace context through the client against real sockets on 127.0.0.1: every attempt is its own span,
// and the upstream sees that span as its parent.

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const CALLER_TRACEPARENT = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
const CALLER_TRACESTATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
});

interface Received {
  headers: IncomingHttpHeaders;
  res: ServerResponse;
}

/** A server that hands each request to `answer` with the list of those received so far. */
async function recordingServer(answer: (received: Received[]) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ headers: req.headers, res });
      answer(received);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function clientOf(url: string, policy: ConstructorParameters<typeof ResilientClient>[0]['policy']) {
  const summaries: CallSummary[] = [];
  const client = new ResilientClient({ name: 'trace', origin: url, policy });
  client.events.on('call.end', (event) => summaries.push(event.summary));
  closers.push(() => client.close());
  return { client, summaries };
}

function partsOf(traceparent: string | string[] | undefined) {
  const [version, traceId, parentId, flags] = String(traceparent).split('-');
  return { version, traceId, parentId, flags };
}

test('traceparent is accepted only as W3C version 00 with lower-case, non-zero ids', () => {
  assert.deepEqual(parseTraceparent(CALLER_TRACEPARENT), { traceId: CALLER_TRACE, spanId: CALLER_SPAN, flags: '01' });
  for (const invalid of [
    undefined,
    '',
    CALLER_TRACEPARENT.toUpperCase(),
    `01-${CALLER_TRACE}-${CALLER_SPAN}-01`,
    `ff-${CALLER_TRACE}-${CALLER_SPAN}-01`,
    `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`,
    `00-${CALLER_TRACE}-${'0'.repeat(16)}-01`,
    `00-${CALLER_TRACE}-${CALLER_SPAN}-1`,
    `00-${CALLER_TRACE}-${CALLER_SPAN}-01-extra`,
  ])
    assert.equal(parseTraceparent(invalid), undefined, String(invalid));
});

test('tracestate passes through unless over 512 characters or holding control characters', () => {
  assert.equal(acceptedTracestate(CALLER_TRACESTATE), CALLER_TRACESTATE);
  assert.equal(acceptedTracestate('a='.padEnd(512, 'x')), 'a='.padEnd(512, 'x'));
  assert.equal(acceptedTracestate('a='.padEnd(513, 'x')), undefined);
  assert.equal(acceptedTracestate('a=1\r\nb=2'), undefined);
  assert.equal(acceptedTracestate('a=1\u007f'), undefined);
  assert.equal(acceptedTracestate(''), undefined);
});

test("a caller's context is continued under a new span; without a valid one a new sampled trace starts, tracestate dropped", () => {
  const continued = continueTrace(`00-${CALLER_TRACE}-${CALLER_SPAN}-00`, CALLER_TRACESTATE);
  assert.equal(continued.traceId, CALLER_TRACE);
  assert.equal(continued.parentSpanId, CALLER_SPAN);
  assert.equal(continued.flags, '00', 'the caller’s sampling decision is kept');
  assert.equal(continued.tracestate, CALLER_TRACESTATE);
  assert.match(continued.spanId, /^[\da-f]{16}$/);
  assert.notEqual(continued.spanId, CALLER_SPAN);
  const fresh = continueTrace('garbage', CALLER_TRACESTATE);
  assert.match(fresh.traceId, /^[\da-f]{32}$/);
  assert.notEqual(fresh.traceId, CALLER_TRACE);
  assert.equal(fresh.parentSpanId, undefined);
  assert.equal(fresh.flags, '01');
  assert.equal(fresh.tracestate, undefined);
});

test('each retry is its own span of the same trace, and the upstream sees it as the parent', async () => {
  const upstream = await recordingServer((received) => {
    const { res } = received.at(-1)!;
    res.writeHead(received.length === 1 ? 503 : 200);
    res.end();
  });
  const { client, summaries } = clientOf(upstream.url, {
    retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2, jitter: false },
  });
  const response = await client.request({
    method: 'GET',
    path: '/orders/1',
    headers: { TraceParent: CALLER_TRACEPARENT, TraceState: CALLER_TRACESTATE },
  });
  assert.equal(response.status, 200);
  assert.equal(upstream.received.length, 2);
  const [summary] = summaries;
  assert.equal(summary.trace.traceId, CALLER_TRACE);
  assert.equal(summary.trace.parentSpanId, CALLER_SPAN);
  assert.equal(summary.trace.tracestate, CALLER_TRACESTATE);
  const sent = upstream.received.map((r) => partsOf(r.headers.traceparent));
  assert.deepEqual(
    sent.map((p) => [p.version, p.traceId, p.flags]),
    [
      ['00', CALLER_TRACE, '01'],
      ['00', CALLER_TRACE, '01'],
    ],
  );
  assert.deepEqual(
    sent.map((p) => p.parentId),
    summary.attempts.map((a) => a.spanId),
  );
  const spanIds = new Set([CALLER_SPAN, summary.trace.spanId, ...summary.attempts.map((a) => a.spanId)]);
  assert.equal(spanIds.size, 4, 'caller, call and each attempt: four distinct spans');
  for (const r of upstream.received) {
    assert.equal(r.headers.tracestate, CALLER_TRACESTATE);
    assert.equal(r.headers['x-request-id'], summary.requestId);
  }
  assert.equal(summary.requestHeaders.traceparent, upstream.received[0].headers.traceparent);
});

test('hedged attempts run at once, each with its own span id in its own traceparent', async () => {
  // The first request is held until the hedge arrives, which is answered; the first is then aborted.
  const upstream = await recordingServer((received) => {
    if (received.length === 2) received[1].res.end('hedge');
  });
  const { client, summaries } = clientOf(upstream.url, {
    hedging: { enabled: true, delayMs: 20 },
    cache: { enabled: false },
  });
  const response = await client.request({
    method: 'GET',
    path: '/search',
    traceparent: CALLER_TRACEPARENT,
    tracestate: CALLER_TRACESTATE,
  });
  assert.equal(response.body.toString(), 'hedge');
  const [summary] = summaries;
  assert.deepEqual(
    summary.attempts.map((a) => a.hedged === true),
    [false, true],
  );
  const sent = upstream.received.map((r) => partsOf(r.headers.traceparent));
  assert.deepEqual(
    sent.map((p) => p.traceId),
    [CALLER_TRACE, CALLER_TRACE],
  );
  assert.deepEqual(
    sent.map((p) => p.parentId),
    summary.attempts.map((a) => a.spanId),
  );
  assert.notEqual(sent[0].parentId, sent[1].parentId);
  assert.equal(summary.requestHeaders.traceparent, `00-${CALLER_TRACE}-${summary.attempts[0].spanId}-01`);
  for (const r of upstream.received) assert.equal(r.headers.tracestate, CALLER_TRACESTATE);
});

test('an invalid caller traceparent starts a new trace and its tracestate is not sent on', async () => {
  const upstream = await recordingServer((received) => received.at(-1)!.res.end());
  const { client, summaries } = clientOf(upstream.url, {});
  await client.request({
    method: 'GET',
    path: '/a',
    traceparent: `00-${CALLER_TRACE.toUpperCase()}-${CALLER_SPAN}-01`,
    tracestate: CALLER_TRACESTATE,
  });
  await client.request({
    method: 'GET',
    path: '/b',
    traceparent: CALLER_TRACEPARENT,
    tracestate: 'a='.padEnd(600, 'x'),
  });
  const [fresh, long] = summaries;
  assert.notEqual(fresh.trace.traceId, CALLER_TRACE);
  assert.equal(fresh.trace.parentSpanId, undefined);
  assert.equal(upstream.received[0].headers.tracestate, undefined);
  assert.equal(upstream.received[0].headers.traceparent, `00-${fresh.trace.traceId}-${fresh.attempts[0].spanId}-01`);
  assert.equal(long.trace.traceId, CALLER_TRACE, 'a bad tracestate does not lose the trace');
  assert.equal(upstream.received[1].headers.tracestate, undefined);
});

test('an explicit context wins over traceparent and tracestate headers', async () => {
  const upstream = await recordingServer((received) => received.at(-1)!.res.end());
  const { client } = clientOf(upstream.url, {});
  const other = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
  await client.request({
    method: 'GET',
    path: '/c',
    headers: { traceparent: other, tracestate: 'other=1' },
    traceparent: CALLER_TRACEPARENT,
  });
  const [received] = upstream.received;
  assert.equal(partsOf(received.headers.traceparent).traceId, CALLER_TRACE);
  assert.equal(received.headers.tracestate, undefined);
});
