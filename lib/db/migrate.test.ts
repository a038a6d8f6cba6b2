// Migrations on real databases: a temp SQLite file and a PostgreSQL database of its own. PostgreSQL must
// be reachable (CI runs it): when it is not, these tests fail rather than skip.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTestDatabase, PG_ADMIN_URL } from '../../test/support/database';
import { createDb, type Provider, providerOf, sqlitePath } from './client';
import {
  appliedMigrations,
  applyMigrations,
  diffDatabaseToSchema,
  diffMigrationsToSchema,
  migrationLock,
  migrationsDir,
} from './migrate';

/** An empty database; for SQLite a path in a directory that does not exist yet (applying creates it). */
async function createDatabase(provider: Provider): Promise<{ url: string; drop: () => Promise<void> }> {
  const database = await createTestDatabase(provider);
  if (provider === 'postgresql') return database;
  return { url: database.url.replace(/test\.db$/, join('not-yet', 'test.db')), drop: database.drop };
}

/** Rows read with the plain driver, not through the engine or the Prisma client under test. */
async function selectAll(url: string, sql: string): Promise<unknown[]> {
  if (providerOf(url) === 'sqlite') {
    const db = new Database(sqlitePath(url), { readonly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const migrationRows = (url: string) => selectAll(url, 'SELECT * FROM _prisma_migrations ORDER BY migration_name');

function committedMigrations(provider: Provider): string[] {
  return readdirSync(migrationsDir(provider), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

for (const provider of ['sqlite', 'postgresql'] as const) {
  describe(`migrations on ${provider}`, () => {
    let database: { url: string; drop: () => Promise<void> };
    before(async () => {
      database = await createDatabase(provider);
    });
    after(() => database?.drop());

    test('applying the committed migrations produces exactly the schema', async () => {
      assert.deepEqual(await appliedMigrations(database.url), []);
      const { applied } = await applyMigrations(database.url);
      assert.deepEqual(applied, committedMigrations(provider));
      assert.equal(await diffDatabaseToSchema(database.url), '');
      const recorded = await appliedMigrations(database.url);
      assert.deepEqual(
        recorded.map((migration) => migration.name),
        applied,
      );
      for (const { finishedAt } of recorded) assert.ok(!Number.isNaN(finishedAt.getTime()));
    });

    test('applying again applies nothing and leaves _prisma_migrations as it was', async () => {
      const rows = await migrationRows(database.url);
      assert.equal(rows.length, committedMigrations(provider).length);
      assert.deepEqual(await applyMigrations(database.url), { applied: [] });
      assert.deepEqual(await migrationRows(database.url), rows);
    });

    test('the generated client writes and reads an Integration', async () => {
      const db = createDb(database.url);
      try {
        const created = await db.integration.create({
          data: { workspaceId: 'default', slug: 'payments', name: 'Payments', baseUrl: 'https://payments.example' },
        });
        const read = await db.integration.findUniqueOrThrow({
          where: { workspaceId_slug: { workspaceId: 'default', slug: 'payments' } },
        });
        assert.deepEqual(read, created);
        assert.equal(read.policy, '{}');
      } finally {
        await db.$disconnect();
      }
    });
  });
}

describe('committed migrations', () => {
  test('both providers have the same migration folders', () => {
    assert.deepEqual(committedMigrations('postgresql'), committedMigrations('sqlite'));
  });

  for (const provider of ['sqlite', 'postgresql'] as const) {
    test(`${provider}: the migrations match prisma/schema.prisma (run npm run db:diff after a schema change)`, async () => {
      assert.equal(await diffMigrationsToSchema(provider, PG_ADMIN_URL), '');
    });
  }
});

describe('migration scripts', () => {
  // adapter-pg's own executeScript would split this migration inside the string literal.
  test('a ; inside a string literal stays in its statement', async () => {
    const repo = process.cwd();
    const root = mkdtempSync(join(tmpdir(), 'breakwater-root-'));
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
    mkdirSync(join(root, 'prisma'));
    copyFileSync(join(repo, 'prisma/schema.prisma'), join(root, 'prisma/schema.prisma'));
    const script = `CREATE TABLE "Note" ("text" TEXT NOT NULL DEFAULT 'a;b');\nINSERT INTO "Note" DEFAULT VALUES;\n`;
    process.chdir(root);
    try {
      for (const provider of ['sqlite', 'postgresql'] as const) {
        mkdirSync(join(migrationsDir(provider), '1_note'), { recursive: true });
        writeFileSync(join(migrationsDir(provider), 'migration_lock.toml'), migrationLock(provider));
        writeFileSync(join(migrationsDir(provider), '1_note', 'migration.sql'), script);
        const database = await createDatabase(provider);
        try {
          assert.deepEqual(await applyMigrations(database.url), { applied: ['1_note'] });
          assert.deepEqual(await selectAll(database.url, 'SELECT "text" FROM "Note"'), [{ text: 'a;b' }]);
        } finally {
          await database.drop();
        }
      }
    } finally {
      process.chdir(repo);
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('bad database URLs', () => {
  test('an unsupported scheme names the ones that work', async () => {
    await assert.rejects(applyMigrations('mysql://root@127.0.0.1/app'), /must start with file: .* or postgres:\/\//);
  });

  test('diffing a missing SQLite file names it and creates nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'breakwater-missing-'));
    try {
      await assert.rejects(
        diffDatabaseToSchema(`file:${join(dir, 'missing.db')}`),
        /no SQLite database at .*missing\.db/,
      );
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unreachable PostgreSQL server is named', async () => {
    await assert.rejects(applyMigrations('postgres://postgres@127.0.0.1:1/app'), {
      message: /^Can't reach database server at `127\.0\.0\.1:1`/,
    });
  });

  test('a missing PostgreSQL database is named', async () => {
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/bw_missing_${randomBytes(6).toString('hex')}`;
    await assert.rejects(applyMigrations(url.toString()), {
      message: `Database \`${url.pathname.slice(1)}\` does not exist`,
    });
  });
});
