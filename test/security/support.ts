import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDb, type Db } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type BreakwaterServer, signIn, startBreakwater } from '../support/server';

/** One request as it reached the upstream: the request line's target exactly as sent, and the body size. */
export interface RecordedRequest {
  method: string;
  target: string;
  headers: IncomingMessage['headers'];
  bodyBytes: number;
}

export interface RecordingUpstream {
  url: string;
  received: RecordedRequest[];
  /** what the next requests are answered with */
  answer: { status: number; headers: Record<string, string>; body: string };
  close(): Promise<void>;
}

/** A 127.0.0.1 upstream that records the raw request target of every request it gets. */
export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const received: RecordedRequest[] = [];
  const upstream: RecordingUpstream = {
    url: '',
    received,
    answer: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
    });
    req.on('end', () => {
      received.push({ method: req.method ?? '', target: req.url ?? '', headers: req.headers, bodyBytes });
      res.writeHead(upstream.answer.status, upstream.answer.headers).end(upstream.answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return upstream;
}

export interface SecurityHarness {
  server: BreakwaterServer;
  database: TestDatabase;
  db: Db;
  cookie: string;
  token: string;
  /** A request with the session cookie (and the server's own Origin, as a browser sends it) or the token. */
  api(path: string, init?: RequestInit & { auth?: 'cookie' | 'token' | 'none' }): Promise<Response>;
  stop(): Promise<void>;
}

/** The production server on a database of its own, signed in, with an API token. */
export async function startHarness(env: Record<string, string> = {}): Promise<SecurityHarness> {
  const database = await createTestDatabase();
  const server = await startBreakwater(database.url, { BREAKWATER_OUTBOUND_ALLOW: '127.0.0.1', ...env });
  const db = createDb(database.url);
  const cookie = await signIn(server);
  const harness: SecurityHarness = {
    server,
    database,
    db,
    cookie,
    token: '',
    api: (path, init = {}) => {
      const headers = new Headers(init.headers);
      const auth = init.auth ?? 'cookie';
      if (auth === 'cookie') {
        headers.set('cookie', cookie);
        headers.set('origin', server.url);
      }
      if (auth === 'token') headers.set('authorization', `Bearer ${harness.token}`);
      return fetch(`${server.url}${path}`, { ...init, headers, redirect: 'manual' });
    },
    stop: async () => {
      await db.$disconnect();
      await server.stop();
      await database.drop();
    },
  };
  const created = await harness.api('/api/tokens', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'security tests' }),
  });
  if (created.status !== 201) throw new Error(`token: ${created.status} ${await created.text()}`);
  harness.token = (await created.json()).token;
  return harness;
}
