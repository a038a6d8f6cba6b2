// `npm run db:diff -- --name <name>`: writes the next migration for BOTH providers, from the difference
// between the committed migrations and prisma/schema.prisma, like `prisma migrate dev --create-only`.
// The PostgreSQL diff replays the migrations on a temporary shadow database created on the server at
// SHADOW_DATABASE_URL (default: the local PostgreSQL).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SHADOW_PG_URL, diffMigrationsToSchema, migrationLock, migrationsDir, type Provider } from '@/lib/db';

function fail(message: string): never {
  console.error(`breakwater: db:diff: ${message}`);
  process.exit(1);
}

const { values } = parseArgs({ options: { name: { type: 'string' } } });
const name = values.name ?? fail('usage: npm run db:diff -- --name <name> (letters, digits, underscores)');
if (!/^\w+$/.test(name)) fail(`migration name "${name}" may only contain letters, digits and underscores`);

const shadowUrl = process.env.SHADOW_DATABASE_URL?.trim() || DEFAULT_SHADOW_PG_URL;
const providers: Provider[] = ['sqlite', 'postgresql'];
let scripts: string[];
try {
  scripts = [];
  for (const provider of providers) scripts.push(await diffMigrationsToSchema(provider, shadowUrl));
} catch (error) {
  fail((error as Error).message.split('\n')[0]);
}
if (scripts.every((script) => script === ''))
  fail('the migrations already match prisma/schema.prisma; nothing to write');

// Prisma's migration names: a UTC timestamp to the second, then the name.
const folder = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${name}`;
providers.forEach((provider, i) => {
  const dir = migrationsDir(provider);
  if (scripts[i] === '') {
    console.log(`${provider}: no changes, no migration written`);
    return;
  }
  mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, folder, 'migration.sql'), scripts[i]);
  const lock = join(dir, 'migration_lock.toml');
  if (!existsSync(lock)) writeFileSync(lock, migrationLock(provider));
  console.log(`${provider}: wrote ${relative(process.cwd(), join(dir, folder, 'migration.sql'))}`);
});
