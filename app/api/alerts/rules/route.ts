import { createRule, listInstances, listRules, ruleSchema } from '@/lib/alerts';
import { authed, parseJsonBody } from '@/lib/api';

export const GET = authed(async (_request, _context, { db }) => {
  const rules = await listRules(db);
  return Response.json({ rules, instances: await listInstances(db, rules) });
});

export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, ruleSchema);
  if (!body.ok) return body.response;
  return Response.json({ rule: await createRule(db, body.data) }, { status: 201 });
});
