import { z } from 'zod';
import { authed, notFound, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { replayEvent } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

const replaySchema = z.object({ idempotency: z.enum(['reuse', 'new']).default('reuse') }).strict();

type Context = { params: Promise<{ id: string }> };

/** Queues a new forward of a stored event (operators and up; 202 with the job); 409 while a forward is in flight. */
export const POST = authed<Context>({ role: 'operator' }, async (request, { params }, { db, workspace, actor }) => {
  const { id } = await params;
  const body = await parseJsonBody(request, replaySchema);
  if (!body.ok) return body.response;
  const replay = await replayEvent(db, workspace.id, id, body.data.idempotency);
  if (!replay) return notFound('webhook event');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'webhook.replay',
    objectType: 'webhookEvent',
    objectId: id,
    after: { jobId: replay.jobId, idempotency: body.data.idempotency },
  });
  return Response.json(replay, { status: 202 });
});
