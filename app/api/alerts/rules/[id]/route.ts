import { deleteRule, findRule, ruleSchema, stateHistory, updateRule } from '@/lib/alerts';
import { authed, notFound, parseJsonBody } from '@/lib/api';

type Context = { params: Promise<{ id: string }> };

export const GET = authed<Context>(async (_request, { params }, { db }) => {
  const rule = await findRule(db, (await params).id);
  if (!rule) return notFound('alert rule');
  return Response.json({ rule, history: await stateHistory(db, { ruleId: rule.id }) });
});

export const PUT = authed<Context>(async (request, { params }, { db }) => {
  const body = await parseJsonBody(request, ruleSchema);
  if (!body.ok) return body.response;
  const rule = await updateRule(db, (await params).id, body.data);
  return rule ? Response.json({ rule }) : notFound('alert rule');
});

export const DELETE = authed<Context>(async (_request, { params }, { db }) =>
  (await deleteRule(db, (await params).id)) ? new Response(null, { status: 204 }) : notFound('alert rule'),
);
