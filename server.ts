/**
 * The one listener: the data plane (`/api/gw/*`, `/api/webhooks/*`) on plain node:http handlers, everything
 * else (pages, the API) through Next's request handler. Usage:
 *   node --import tsx server.ts [-p <port>] [-H <host>] [--dev]
 * Port and host default to PORT/HOSTNAME, then 3000 and 0.0.0.0, as `next start` does.
 */
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import next from 'next';
import { log } from '@/lib/logging';

// Above the idle timeouts of common load balancers (AWS ALB 60 s), so the balancer, not Breakwater, closes
// an idle connection and never sends a request onto one being closed.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const HEADERS_TIMEOUT_MS = 66_000;
// How long in-flight requests get to finish on SIGTERM/SIGINT before their connections are cut.
const SHUTDOWN_GRACE_MS = 5_000;

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', short: 'p' },
    hostname: { type: 'string', short: 'H' },
    dev: { type: 'boolean', default: false },
  },
});
const dev = args.dev ?? false;
const port = Number(args.port ?? process.env.PORT ?? 3000);
const hostname = args.hostname ?? process.env.HOSTNAME ?? '0.0.0.0';
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`invalid port "${args.port ?? process.env.PORT}": give -p <0-65535> or PORT`);
  process.exit(1);
}
// The outbound policy refuses Breakwater's own port by PORT (lib/integrations/outbound.ts), as next start set it.
process.env.PORT = String(port);
// Shutdown is start.ts's (drain, then flush telemetry); Next must not exit the process on its own.
process.env.NEXT_MANUAL_SIG_HANDLE = 'true';

/** Stops accepting, lets in-flight requests end, and after the grace period cuts what is still open. */
function drain(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, graceMs);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

const app = next({ dev, dir: import.meta.dirname, hostname, port });
await app.prepare();
// Loaded once Next has prepared its Node environment (AsyncLocalStorage on globalThis): lib reaches
// next/headers through lib/auth, which refuses to load before that.
const [{ serveDataPlane }, { beforeShutdown, startServerServices }] = await Promise.all([
  import('@/dataplane'),
  import('@/lib/server/start'),
]);
// instrumentation.ts may have started the services during prepare(); then this waits for that same start.
await startServerServices();
const handleNext = app.getRequestHandler();

const server = createServer((req, res) => {
  if (serveDataPlane(req, res)) return;
  handleNext(req, res).catch((error: unknown) => {
    log.error({ err: error, url: req.url }, 'Next request handler failed');
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Internal server error.\n');
  });
});
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
server.headersTimeout = HEADERS_TIMEOUT_MS;
// Responses may stream for as long as their upstream does; the gateway has its own deadlines.
server.requestTimeout = 0;
if (dev) {
  const handleUpgrade = app.getUpgradeHandler();
  server.on('upgrade', (req, socket, head) => void handleUpgrade(req, socket, head));
}
beforeShutdown(() => drain(server, SHUTDOWN_GRACE_MS));
server.listen(port, hostname, () => {
  log.info({ url: `http://${hostname}:${port}`, dev }, 'Breakwater listening');
});
