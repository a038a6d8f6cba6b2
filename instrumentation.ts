/**
 * Runs once when a server instance starts. Node runtime only (STACK.md): the database, migrations and
 * telemetry are Node code. server.ts runs the same start first (this call is then a no-op); bare `next start`
 * or `next dev` still bring the database up to date here.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServerServices } = await import('./lib/server/start');
  await startServerServices();
}
