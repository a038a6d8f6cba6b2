import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { deadLetterIds, deadLetterSelectionSchema, discardDeadLetters } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

/** Bulk discard of the workspace's dead letters listed by id or matching a filter (operators and up). */
export const POST = authed({ role: 'operator' }, async (request, _context, { db, workspace, actor }) => {
  const input = await parseJsonBody(request, deadLetterSelectionSchema);
  if (!input.ok) return input.response;
  const ids = await deadLetterIds(db, workspace.id, input.data);
  const discarded = await discardDeadLetters(db, workspace.id, ids);
  if (discarded > 0)
    await recordAudit(db, actor, {
      workspaceId: workspace.id,
      action: 'deadletter.discard',
      objectType: 'job',
      objectId: `${discarded} dead letters`,
      after: { selection: input.data, discarded },
    });
  return Response.json({ discarded });
});
