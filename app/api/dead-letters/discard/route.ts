import { authed, parseJsonBody } from '@/lib/api';
import { deadLetterIds, deadLetterSelectionSchema, discardDeadLetters } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

/** Bulk discard of the dead letters listed by id or matching a filter. */
export const POST = authed(async (request, _context, { db }) => {
  const input = await parseJsonBody(request, deadLetterSelectionSchema);
  if (!input.ok) return input.response;
  const ids = await deadLetterIds(db, input.data);
  return Response.json({ discarded: await discardDeadLetters(db, ids) });
});
