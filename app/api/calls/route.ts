import { z } from 'zod';
import { authed, parseQuery } from '@/lib/api';
import { callFilterSchema } from '@/lib/jobs';
import { MAX_LIMIT, searchCalls } from '@/lib/queries';

const querySchema = callFilterSchema.extend({
  cursor: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
});

/** The call log of the request's workspace (viewer). */
export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  return Response.json(await searchCalls(db, workspace.id, query.data));
});
