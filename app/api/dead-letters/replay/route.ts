import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { deadLetterIds, deadLetterSelectionSchema, replayDeadLetters } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

/** Bulk replay of the workspace's dead letters listed by id or matching a filter (operators and up). */
export const POST = authed({ role: 'operator' }, async (request, _context, { db, workspace, actor }) => {
  const input = await parseJsonBody(request, deadLetterSelectionSchema);
  if (!input.ok) return input.response;
  const ids = await deadLetterIds(db, workspace.id, input.data);
  const requeued = await replayDeadLetters(db, workspace.id, ids);
  if (requeued > 0)
    await recordAudit(db, actor, {
      workspaceId: workspace.id,
      action: 'deadletter.replay',
      objectType: 'job',
      objectId: `${requeued} dead letters`,
      after: { selection: input.data, requeued },
    });
  return Response.json({ requeued });
});
