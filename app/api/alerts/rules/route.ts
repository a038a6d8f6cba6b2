import { createRule, listInstances, listRules, ruleSchema } from '@/lib/alerts';
import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';

export const GET = authed(async (_request, _context, { db, workspace }) => {
  const rules = await listRules(db, workspace.id);
  return Response.json({ rules, instances: await listInstances(db, rules) });
});

/** Editors and up; names are unique per workspace. */
export const POST = authed({ role: 'editor' }, async (request, _context, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, ruleSchema);
  if (!body.ok) return body.response;
  const rule = await createRule(db, workspace.id, body.data);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'rule.create',
    objectType: 'alertRule',
    objectId: rule.id,
    after: rule,
  });
  return Response.json({ rule }, { status: 201 });
});
