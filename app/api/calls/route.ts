import { z } from 'zod';
import { authed, jsonError, validationError } from '@/lib/api';
import { callFilterSchema } from '@/lib/jobs';
import { BadCursorError, MAX_LIMIT, searchCalls } from '@/lib/queries';

const querySchema = callFilterSchema.extend({
  cursor: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
});

export const GET = authed(async (request, _context, { db }) => {
  // Empty form fields arrive as empty strings: they mean "no filter".
  const params = [...new URL(request.url).searchParams].filter(([, value]) => value !== '');
  const query = querySchema.safeParse(Object.fromEntries(params));
  if (!query.success) return validationError(query.error);
  try {
    return Response.json(await searchCalls(db, query.data));
  } catch (error) {
    if (error instanceof BadCursorError) return jsonError(400, `invalid cursor: ${error.message}`, { field: 'cursor' });
    throw error;
  }
});
