import { z } from 'zod';
import { previewRuleInScope, ruleSchema } from '@/lib/alerts';
import { authed, jsonError, parseJsonBody } from '@/lib/api';

const previewSchema = z.object({ rule: ruleSchema, integration: z.string().trim().min(1).nullish() });

/**
 * The metric over the last 24 h for each of the workspace's integrations in the rule's scope (or the one
 * named), when it would have been pending or firing, and how often it would have fired. A read (it changes
 * nothing): viewers may preview.
 */
export const POST = authed({ role: 'viewer' }, async (request, _context, { db, workspace }) => {
  const body = await parseJsonBody(request, previewSchema);
  if (!body.ok) return body.response;
  const previews = await previewRuleInScope(db, workspace.id, body.data.rule, body.data.integration, new Date());
  if (previews.length === 0)
    return jsonError(404, 'no integration in the rule scope to preview', { field: 'integration' });
  return Response.json({ previews });
});
