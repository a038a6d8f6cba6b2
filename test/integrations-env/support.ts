import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a test upstream saw of one request. */
export interface Seen {
  path: string;
  credential: string;
}

/**
 * An upstream on 127.0.0.1 that answers 200 to a request carrying an accepted bearer key and 401
 * otherwise, and records each request's path and key.
 */
export interface KeyedUpstream {
  url: string;
  seen: Seen[];
  accept(keys: string[]): void;
  close(): Promise<void>;
}

export async function startKeyedUpstream(keys: string[]): Promise<KeyedUpstream> {
  let accepted = new Set(keys);
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const credential = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      seen.push({ path: req.url ?? '', credential });
      const ok = accepted.has(credential);
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    accept: (next) => {
      accepted = new Set(next);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
