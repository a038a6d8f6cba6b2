import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { createIntegration, integrationSchema, listIntegrations, toView } from '@/lib/integrations';

/** The integrations of the request's workspace (viewer). */
export const GET = authed(async (_request, _context, { db, workspace }) =>
  Response.json({ integrations: (await listIntegrations(db, workspace.id)).map((i) => toView(i)) }),
);

/** Creates an integration in the request's workspace (editor); its slug is unique within the workspace. */
export const POST = authed({ role: 'editor' }, async (request, _context, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, integrationSchema);
  if (!body.ok) return body.response;
  const integration = await createIntegration(db, workspace.id, body.data);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'integration.create',
    objectType: 'integration',
    objectId: integration.slug,
    after: integration,
  });
  return Response.json({ integration: toView(integration) }, { status: 201 });
});
