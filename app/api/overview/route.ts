import { z } from 'zod';
import { authed, parseQuery } from '@/lib/api';
import { overviewTiles } from '@/lib/queries';

const WINDOWS = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
} as const;
const querySchema = z.object({ window: z.enum(Object.keys(WINDOWS) as [keyof typeof WINDOWS]).default('1h') });

export const GET = authed(async (request, _context, { db }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const since = new Date(Date.now() - WINDOWS[query.data.window]);
  return Response.json({ window: query.data.window, since, integrations: await overviewTiles(db, since) });
});
