import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { bulkReplayInputSchema, startBulkReplay } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

/**
 * Replays every call of the workspace matching the explorer's filter (operators and up): dryRun gives the
 * count, otherwise a run starts (202).
 */
export const POST = authed({ role: 'operator' }, async (request, _context, { db, workspace, actor }) => {
  const input = await parseJsonBody(request, bulkReplayInputSchema);
  if (!input.ok) return input.response;
  const result = await startBulkReplay(db, workspace.id, input.data);
  if (!result.dryRun)
    await recordAudit(db, actor, {
      workspaceId: workspace.id,
      action: 'replay.bulk',
      objectType: 'replayRun',
      objectId: result.run.id,
      after: { filter: result.run.filter, idempotency: result.run.idempotency, total: result.run.total },
    });
  return Response.json(result, { status: result.dryRun ? 200 : 202 });
});
