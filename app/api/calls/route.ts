import { z } from 'zod';
import { authed, jsonError, parseQuery } from '@/lib/api';
import { callFilterSchema } from '@/lib/jobs';
import { BadCursorError, MAX_LIMIT, searchCalls } from '@/lib/queries';

const querySchema = callFilterSchema.extend({
  cursor: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
});

export const GET = authed(async (request, _context, { db }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  try {
    return Response.json(await searchCalls(db, query.data));
  } catch (error) {
    if (error instanceof BadCursorError) return jsonError(400, `invalid cursor: ${error.message}`, { field: 'cursor' });
    throw error;
  }
});
