import { createServer } from 'node:http';

// The upstream for bench/client.ts and bench/gateway.ts, run in its own process so it does not share the
// load generator's or the proxy's event loop.
const body = JSON.stringify({ id: 1, name: 'bench', items: [1, 2, 3], ok: true });
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'upstream-1' });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('disconnect', () => process.exit(0));
