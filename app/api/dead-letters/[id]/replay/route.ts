import { authed, notFound } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { replayDeadLetters } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** Puts a dead letter back in the queue with fresh attempts and its original idempotency key (operators and up). */
export const POST = authed<Context>({ role: 'operator' }, async (_request, { params }, { db, workspace, actor }) => {
  const { id } = await params;
  if (!(await replayDeadLetters(db, workspace.id, [id]))) return notFound(`dead letter "${id}"`);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'deadletter.replay',
    objectType: 'job',
    objectId: id,
  });
  return Response.json({ requeued: 1 }, { status: 202 });
});
