// `npm run db:migrate`: applies the committed migrations to DATABASE_URL (default file:./data/breakwater.db)
// with Prisma's wasm schema engine, exactly as `prisma migrate deploy` would.
import { applyMigrations, databaseUrl, providerOf } from '@/lib/db';

const url = databaseUrl();
try {
  const { applied } = await applyMigrations(url);
  const where = providerOf(url) === 'sqlite' ? url : new URL(url).host + new URL(url).pathname;
  console.log(
    applied.length
      ? `breakwater: applied ${applied.length} migration(s) to ${where}: ${applied.join(', ')}`
      : `breakwater: ${where} is up to date, no migration to apply`,
  );
} catch (error) {
  console.error(`breakwater: db:migrate failed: ${(error as Error).message.split('\n')[0]}`);
  process.exit(1);
}
