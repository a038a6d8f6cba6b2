import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyMigrations, createDb, type Db } from '@/lib/db';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** A fresh, migrated database of the suite's provider, with a Prisma client on it. */
export async function migratedDatabase(): Promise<TestDatabase & { db: Db }> {
  const database = await createTestDatabase();
  await applyMigrations(database.url);
  const db = createDb(database.url);
  return {
    ...database,
    db,
    drop: async () => {
      await db.$disconnect();
      await database.drop();
    },
  };
}

export interface TestUpstream {
  url: string;
  requests: { path: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

/**
 * A small upstream: `/flaky/*` answers 503 to the first attempt of each request id and 200 after,
 * `/fail` always 500, anything else 200; every answer says X-RateLimit-Remaining: 42.
 */
export async function startTestUpstream(): Promise<TestUpstream> {
  const requests: TestUpstream['requests'] = [];
  const seen = new Set<string>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '/';
      requests.push({ path, headers: req.headers });
      const id = String(req.headers['x-request-id']);
      let status = 200;
      if (path.startsWith('/flaky') && !seen.has(id)) {
        seen.add(id);
        status = 503;
      } else if (path.startsWith('/fail')) status = 500;
      res.writeHead(status, {
        'content-type': 'application/json',
        'cache-control': 'max-age=60',
        'x-ratelimit-remaining': '42',
      });
      res.end(JSON.stringify({ ok: status === 200 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
