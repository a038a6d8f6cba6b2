import { z } from 'zod';
import { authed, jsonError, validationError } from '@/lib/api';
import { BadCursorError, MAX_LIMIT, searchCalls } from '@/lib/queries';

const text = z.string().trim().min(1).max(200).optional();
const querySchema = z.object({
  integration: text,
  outcome: text,
  status: z.coerce.number().int().min(100).max(599).optional(),
  method: text,
  route: text,
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  minDurationMs: z.coerce.number().min(0).optional(),
  requestId: text,
  upstreamRequestId: text,
  traceId: text,
  replayOf: text,
  replays: z.enum(['only', 'exclude']).optional(),
  cursor: text,
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
