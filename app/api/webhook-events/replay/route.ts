import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { bulkEventReplaySchema, replayMatchingEvents } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

/**
 * Replays every stored event of the workspace the explorer's filter matches (at most 1000, the newest;
 * operators and up): 202 with how many were queued and how many were skipped because their forward is in
 * flight. `dryRun: true` only counts.
 */
export const POST = authed({ role: 'operator' }, async (request, _context, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, bulkEventReplaySchema);
  if (!body.ok) return body.response;
  const result = await replayMatchingEvents(db, workspace.id, body.data);
  if (!result.dryRun && result.replayed > 0)
    await recordAudit(db, actor, {
      workspaceId: workspace.id,
      action: 'webhook.replay',
      objectType: 'webhookEvent',
      objectId: `${result.replayed} events`,
      after: { filter: body.data.filter, replayed: result.replayed },
    });
  return Response.json(result, { status: result.dryRun ? 200 : 202 });
});
