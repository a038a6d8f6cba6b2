import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { applyMigrations, createDb, type Db } from '@/lib/db';

export type TestProvider = 'sqlite' | 'postgresql';

export interface TestDatabase {
  provider: TestProvider;
  url: string;
  drop(): Promise<void>;
}

export const PG_ADMIN_URL = process.env.BREAKWATER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Which database the suite runs on: BREAKWATER_TEST_PROVIDER=postgresql runs it on the local PostgreSQL. */
export function testProvider(): TestProvider {
  const value = process.env.BREAKWATER_TEST_PROVIDER ?? 'sqlite';
  if (value !== 'sqlite' && value !== 'postgresql')
    throw new Error(`BREAKWATER_TEST_PROVIDER must be sqlite or postgresql, not ${value}`);
  return value;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_ADMIN_URL} (set BREAKWATER_TEST_PG_URL): ${(error as Error).message}`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database of its own (a temp SQLite file, or a fresh PostgreSQL database), dropped after. */
export async function createTestDatabase(provider: TestProvider = testProvider()): Promise<TestDatabase> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'breakwater-test-'));
    return {
      provider,
      url: `file:${join(dir, 'test.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `bw_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    provider,
    url: url.toString(),
    drop: () =>
      withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A new database with every migration applied, and a client on it: what most storage tests start from. */
export async function createMigratedDatabase(
  provider: TestProvider = testProvider(),
): Promise<{ database: TestDatabase; db: Db }> {
  const database = await createTestDatabase(provider);
  await applyMigrations(database.url);
  return { database, db: createDb(database.url) };
}
