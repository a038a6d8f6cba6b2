import { z } from 'zod';
import { previewRuleInScope, ruleSchema } from '@/lib/alerts';
import { authed, jsonError, parseJsonBody } from '@/lib/api';

const previewSchema = z.object({ rule: ruleSchema, integration: z.string().trim().min(1).nullish() });

/** The metric over the last 24 h for one integration in the rule's scope, and how often it would have fired. */
export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, previewSchema);
  if (!body.ok) return body.response;
  const preview = await previewRuleInScope(db, body.data.rule, body.data.integration, new Date());
  if (!preview) return jsonError(404, 'no integration in the rule scope to preview', { field: 'integration' });
  return Response.json({ preview });
});
