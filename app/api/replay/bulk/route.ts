import { authed, parseJsonBody } from '@/lib/api';
import { bulkReplayInputSchema, startBulkReplay } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

/** Replays every call matching the explorer's filter: dryRun gives the count, otherwise a run starts (202). */
export const POST = authed({ role: 'operator' }, async (request, _context, { db, workspace }) => {
  const input = await parseJsonBody(request, bulkReplayInputSchema);
  if (!input.ok) return input.response;
  const result = await startBulkReplay(db, workspace.id, input.data);
  return Response.json(result, { status: result.dryRun ? 200 : 202 });
});
