import { z } from 'zod';
import { authed, parseQuery } from '@/lib/api';
import { eventFilterSchema, listEvents, MAX_EVENTS_PAGE } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

const querySchema = eventFilterSchema.extend({
  cursor: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_EVENTS_PAGE).optional(),
});

/** The events explorer: newest first, filtered, keyset-paginated. */
export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  return Response.json(await listEvents(db, workspace.id, query.data));
});
