import { z } from 'zod';
import { authed, validationError } from '@/lib/api';
import { DEFAULT_OVERVIEW_WINDOW, OVERVIEW_WINDOWS, WINDOW_MS } from '@/lib/model';
import { overviewTiles } from '@/lib/queries';

const querySchema = z.object({ window: z.enum(OVERVIEW_WINDOWS).default(DEFAULT_OVERVIEW_WINDOW) });

export const GET = authed(async (request, _context, { db }) => {
  const query = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return validationError(query.error);
  const since = new Date(Date.now() - WINDOW_MS[query.data.window]);
  return Response.json({ window: query.data.window, since, integrations: await overviewTiles(db, since) });
});
