import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { callRequestMaxBytes, replayCall, replayInputSchema } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/**
 * Replays a recorded call of the request's workspace (as recorded or edited) as a new call linked to it;
 * dryRun shows the request. An operator's action; a call of another workspace is a 404.
 */
export const POST = authed<Context>({ role: 'operator' }, async (request, { params }, { db, workspace, actor }) => {
  const { id } = await params;
  const input = await parseJsonBody(request, replayInputSchema, { maxBytes: callRequestMaxBytes() });
  if (!input.ok) return input.response;
  const result = await replayCall(db, workspace.id, id, input.data);
  if (!input.data.dryRun)
    await recordAudit(db, actor, {
      workspaceId: workspace.id,
      action: 'call.replay',
      objectType: 'call',
      objectId: id,
      after: { mode: input.data.mode, idempotency: input.data.idempotency },
    });
  return Response.json(result);
});
