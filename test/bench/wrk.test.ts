import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { parseWrkOutput, runWrk } from '../../bench/wrk.ts';

// bench/gateway.ts reads its figures (lost calls among them) from wrk's output: these hold the parser to
// what a real wrk printed about a real server.

let server: Server;
let origin: string;
const served = { ok: 0, fail: 0 };

before(async () => {
  server = createServer((req, res) => {
    const fail = req.url === '/fail';
    res.on('finish', () => {
      served[fail ? 'fail' : 'ok']++;
    });
    res.writeHead(fail ? 503 : 200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test('counts the responses the server sent, less at most one in flight per connection', async () => {
  const result = await runWrk(`${origin}/ok`, { threads: 1, connections: 2, seconds: 1 });
  assert.ok(result.requests > 0);
  assert.ok(result.requests <= served.ok, `wrk read ${result.requests}, the server sent ${served.ok}`);
  assert.ok(result.requests >= served.ok - 2, `wrk read ${result.requests}, the server sent ${served.ok}`);
  assert.equal(result.non2xx, 0);
  assert.ok(result.latencyMs.p50 > 0 && result.latencyMs.p50 <= result.latencyMs.p99);
});

test('counts answers outside 2xx and 3xx among the responses, and sends the headers asked for', async () => {
  let authorization: string | undefined;
  server.prependOnceListener('request', (req) => {
    authorization = req.headers.authorization;
  });
  const result = await runWrk(`${origin}/fail`, {
    threads: 1,
    connections: 1,
    seconds: 1,
    headers: { authorization: 'Bearer bench' },
  });
  assert.ok(result.requests > 0);
  assert.equal(result.non2xx, result.requests);
  assert.equal(authorization, 'Bearer bench');
});

test('reads every latency unit wrk prints as milliseconds', () => {
  const output = `Running 10s test @ http://127.0.0.1:8080/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   635.91us    0.89ms  12.92ms   93.69%
    Req/Sec    40.20k     8.07k   62.89k    86.54%
  Latency Distribution
     50%  250.00us
     75%    1.50ms
     90%    2.00s
     99%    1.00m
  804011 requests in 10.00s, 98.14MB read
  Socket errors: connect 0, read 3, write 0, timeout 7
  Non-2xx or 3xx responses: 12
Requests/sec:  80401.10
Transfer/sec:      9.81MB
`;
  assert.deepEqual(parseWrkOutput(output), {
    requests: 804011,
    seconds: 10,
    requestsPerSec: 80401.1,
    non2xx: 12,
    socketErrors: { connect: 0, read: 3, write: 0, timeout: 7 },
    latencyMs: { p50: 0.25, p75: 1.5, p90: 2000, p99: 60_000 },
  });
});
