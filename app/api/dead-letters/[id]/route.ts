import { authed, notFound } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { discardDeadLetters, findJob } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const { id } = await params;
  const job = await findJob(db, workspace.id, id);
  return job?.state === 'dead' ? Response.json(job) : notFound(`dead letter "${id}"`);
});

/** Discards a dead letter (operators and up): it stays visible as "discarded" but leaves the queue. */
export const DELETE = authed<Context>({ role: 'operator' }, async (_request, { params }, { db, workspace, actor }) => {
  const { id } = await params;
  if (!(await discardDeadLetters(db, workspace.id, [id]))) return notFound(`dead letter "${id}"`);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'deadletter.discard',
    objectType: 'job',
    objectId: id,
  });
  return Response.json({ discarded: 1 });
});
