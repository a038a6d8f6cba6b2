import { authed, parseJsonBody } from '@/lib/api';
import { bulkEventReplaySchema, replayMatchingEvents } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

/**
 * Replays every stored event the explorer's filter matches (at most 1000, the newest): 202 with how many
 * were queued and how many were skipped because their forward is in flight. `dryRun: true` only counts.
 */
export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, bulkEventReplaySchema);
  if (!body.ok) return body.response;
  const result = await replayMatchingEvents(db, body.data);
  return Response.json(result, { status: result.dryRun ? 200 : 202 });
});
