import { z } from 'zod';
import { authed, notFound, parseJsonBody } from '@/lib/api';
import { clientFor, findIntegration, updateIntegration } from '@/lib/integrations';

const actionSchema = z.object({ action: z.enum(['isolate', 'reset', 'dry-run-on', 'dry-run-off']) });

type Context = { params: Promise<{ slug: string }> };

// Breakers live per instance: isolate and reset act on the instance that serves this request. Dry-run is
// policy, stored, and so reaches every instance.
export const GET = authed<Context>(async (_request, { params }, { db }) => {
  const integration = await findIntegration(db, (await params).slug);
  if (!integration) return notFound('integration');
  return Response.json({ state: clientFor(integration).breaker.state, dryRun: integration.policy.breaker.dryRun });
});

export const POST = authed<Context>(async (request, { params }, { db }) => {
  const body = await parseJsonBody(request, actionSchema);
  if (!body.ok) return body.response;
  let integration = await findIntegration(db, (await params).slug);
  if (!integration) return notFound('integration');
  const { action } = body.data;
  if (action === 'dry-run-on' || action === 'dry-run-off') {
    const breaker = { ...integration.policy.breaker, dryRun: action === 'dry-run-on' };
    const result = await updateIntegration(db, integration.slug, { policy: { ...integration.policy, breaker } });
    if (result?.ok) integration = result.integration;
  }
  const client = clientFor(integration);
  if (action === 'isolate') client.breaker.isolate();
  if (action === 'reset') client.breaker.reset();
  return Response.json({ state: client.breaker.state, dryRun: integration.policy.breaker.dryRun });
});
