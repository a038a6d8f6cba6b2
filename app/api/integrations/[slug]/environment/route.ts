import { authed, notFound, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { environmentSwitchSchema, switchEnvironment, toView } from '@/lib/integrations';

type Context = { params: Promise<{ slug: string }> };

/** Switches the integration's active environment (production | sandbox), recorded with who did it. An editor's. */
export const POST = authed<Context>({ role: 'editor' }, async (request, { params }, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, environmentSwitchSchema);
  if (!body.ok) return body.response;
  const slug = (await params).slug;
  const result = await switchEnvironment(db, workspace.id, slug, body.data.environment, actor.name);
  if (!result) return notFound('integration');
  if (result.switched)
    await recordAudit(db, actor, {
      workspaceId: workspace.id,
      action: 'integration.environment',
      objectType: 'integration',
      objectId: slug,
      after: { activeEnvironment: body.data.environment },
    });
  return Response.json({ integration: toView(result.integration), switched: result.switched });
});
