/**
 * Runs once when a server instance starts. Node runtime only (STACK.md): the database, migrations and
 * telemetry are Node code. Migrations are applied here so `next start` alone brings a database up to date.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServerServices } = await import('./lib/server/start');
  await startServerServices();
}
