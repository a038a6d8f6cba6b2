import { z } from 'zod';
import { authed, jsonError, validationError } from '@/lib/api';
import { BadEventCursorError, eventFilterSchema, listEvents, MAX_EVENTS_PAGE } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

const querySchema = eventFilterSchema.extend({
  cursor: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_EVENTS_PAGE).optional(),
});

/** The events explorer: newest first, filtered, keyset-paginated. */
export const GET = authed(async (request, _context, { db }) => {
  // Empty form fields arrive as empty strings: they mean "no filter".
  const params = [...new URL(request.url).searchParams].filter(([, value]) => value !== '');
  const query = querySchema.safeParse(Object.fromEntries(params));
  if (!query.success) return validationError(query.error);
  try {
    return Response.json(await listEvents(db, query.data));
  } catch (error) {
    if (error instanceof BadEventCursorError)
      return jsonError(400, `invalid cursor: ${error.message}`, { field: 'cursor' });
    throw error;
  }
});
