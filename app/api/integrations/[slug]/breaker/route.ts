import { z } from 'zod';
import { authed, notFound, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { clientFor, findIntegration, updateIntegration } from '@/lib/integrations';

const actionSchema = z.object({ action: z.enum(['isolate', 'reset', 'dry-run-on', 'dry-run-off']) });

type Context = { params: Promise<{ slug: string }> };

// Isolate and reset act on the instance that serves this request and, with Redis (REDIS_URL) and the
// breaker's scope `cluster`, are published to every other instance. Dry-run is policy, stored, and so
// reaches every instance.
export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const integration = await findIntegration(db, workspace.id, (await params).slug);
  if (!integration) return notFound('integration');
  return Response.json({ state: clientFor(integration).breaker.state, dryRun: integration.policy.breaker.dryRun });
});

/** Breaker actions are an operator's (as replays are); the dry-run switch is stored policy all the same. */
export const POST = authed<Context>({ role: 'operator' }, async (request, { params }, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, actionSchema);
  if (!body.ok) return body.response;
  let integration = await findIntegration(db, workspace.id, (await params).slug);
  if (!integration) return notFound('integration');
  const { action } = body.data;
  const before = { state: clientFor(integration).breaker.state, dryRun: integration.policy.breaker.dryRun };
  if (action === 'dry-run-on' || action === 'dry-run-off') {
    const breaker = { ...integration.policy.breaker, dryRun: action === 'dry-run-on' };
    const result = await updateIntegration(db, workspace.id, integration.slug, {
      policy: { ...integration.policy, breaker },
    });
    if (result?.ok) integration = result.integration;
  }
  const client = clientFor(integration);
  if (action === 'isolate') client.breaker.isolate();
  if (action === 'reset') client.breaker.reset();
  const after = { state: client.breaker.state, dryRun: integration.policy.breaker.dryRun };
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: `breaker.${action}`,
    objectType: 'integration',
    objectId: integration.slug,
    before,
    after,
  });
  return Response.json(after);
});
