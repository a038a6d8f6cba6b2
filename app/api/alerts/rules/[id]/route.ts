import { deleteRule, findRule, ruleSchema, stateHistory, updateRule } from '@/lib/alerts';
import { authed, notFound, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';

type Context = { params: Promise<{ id: string }> };

export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const rule = await findRule(db, workspace.id, (await params).id);
  if (!rule) return notFound('alert rule');
  return Response.json({ rule, history: await stateHistory(db, workspace.id, { ruleId: rule.id }) });
});

/** Editors and up; another workspace's rule is a 404. */
export const PUT = authed<Context>({ role: 'editor' }, async (request, { params }, { db, workspace, actor }) => {
  const { id } = await params;
  const body = await parseJsonBody(request, ruleSchema);
  if (!body.ok) return body.response;
  const before = await findRule(db, workspace.id, id);
  const rule = before && (await updateRule(db, workspace.id, id, body.data));
  if (!rule) return notFound('alert rule');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'rule.update',
    objectType: 'alertRule',
    objectId: id,
    before,
    after: rule,
  });
  return Response.json({ rule });
});

export const DELETE = authed<Context>({ role: 'editor' }, async (_request, { params }, { db, workspace, actor }) => {
  const { id } = await params;
  const before = await findRule(db, workspace.id, id);
  if (!before || !(await deleteRule(db, workspace.id, id))) return notFound('alert rule');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'rule.delete',
    objectType: 'alertRule',
    objectId: id,
    before,
  });
  return new Response(null, { status: 204 });
});
