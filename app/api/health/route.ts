import { databaseUrl, getDb, providerOf } from '@/lib/db';

export const dynamic = 'force-dynamic';

/** Public: is the database reachable, and which migration is applied. */
export async function GET() {
  const provider = providerOf(databaseUrl());
  try {
    const rows = await getDb().$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name DESC LIMIT 1',
    );
    return Response.json({
      status: 'ok',
      database: { provider, reachable: true, migration: rows[0]?.migration_name ?? null },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.trim().split('\n').pop() : 'unknown error';
    return Response.json(
      { status: 'unavailable', database: { provider, reachable: false, error: message } },
      { status: 503 },
    );
  }
}
