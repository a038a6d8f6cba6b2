import { z } from 'zod';
import { authed, parseQuery } from '@/lib/api';
import { DEFAULT_OVERVIEW_WINDOW, OVERVIEW_WINDOWS, WINDOW_MS } from '@/lib/model';
import { overviewTiles } from '@/lib/queries';
import { announcedRateLimits } from '@/lib/telemetry';
import { monthToDateCosts } from '@/lib/usage';

const querySchema = z.object({
  window: z.enum(OVERVIEW_WINDOWS).default(DEFAULT_OVERVIEW_WINDOW),
  /** one integration's tile only (its slug), for the integration page's KPI strip */
  integration: z.string().min(1).max(100).optional(),
});

/** One tile per integration of the request's workspace (or of the one named). */
export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const since = new Date(Date.now() - WINDOW_MS[query.data.window]);
  return Response.json({
    window: query.data.window,
    since,
    integrations: await overviewTiles(
      db,
      workspace.id,
      since,
      query.data.integration === undefined ? undefined : { slug: query.data.integration },
      announcedRateLimits(workspace.slug),
    ),
    costs: await monthToDateCosts(db, workspace.id, new Date()),
  });
});
