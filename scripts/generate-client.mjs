// Generates the Prisma client for both providers from prisma/schema.prisma (the single source).
// Prisma 7's generated client is provider-specific, and Breakwater picks SQLite or PostgreSQL at run
// time from DATABASE_URL, so both are generated. The native schema engine is never downloaded: see
// STACK.md and scripts/no-native-schema-engine.sh.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = readFileSync(join(root, 'prisma/schema.prisma'), 'utf8');

export function postgresSchema(text) {
  return text
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output       = "../lib/db/generated/sqlite"', 'output       = "../../lib/db/generated/postgresql"');
}

const pgSchema = postgresSchema(source);
if (pgSchema === source) throw new Error('prisma/schema.prisma: provider or output line not found');
mkdirSync(join(root, 'prisma/postgresql'), { recursive: true });
writeFileSync(join(root, 'prisma/postgresql/schema.prisma'), pgSchema);

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: join(root, 'scripts/no-native-schema-engine.sh'),
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const prisma = join(root, 'node_modules/.bin/prisma');
for (const schema of ['prisma/schema.prisma', 'prisma/postgresql/schema.prisma']) {
  execFileSync(prisma, ['generate', '--schema', schema], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
}
console.log('breakwater: Prisma clients generated (sqlite, postgresql)');
