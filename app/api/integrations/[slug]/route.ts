import { authed, notFound, parseJsonBody, validationError } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import {
  deleteIntegration,
  findIntegration,
  integrationPatchSchema,
  toView,
  updateIntegration,
} from '@/lib/integrations';

type Context = { params: Promise<{ slug: string }> };

// An integration of another workspace is a 404, as one that does not exist.

export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const integration = await findIntegration(db, workspace.id, (await params).slug);
  return integration ? Response.json({ integration: toView(integration) }) : notFound('integration');
});

export const PATCH = authed<Context>({ role: 'editor' }, async (request, { params }, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, integrationPatchSchema);
  if (!body.ok) return body.response;
  const slug = (await params).slug;
  const before = await findIntegration(db, workspace.id, slug);
  if (!before) return notFound('integration');
  const result = await updateIntegration(db, workspace.id, slug, body.data);
  if (!result) return notFound('integration');
  if (!result.ok) return validationError(result.error!);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'integration.update',
    objectType: 'integration',
    objectId: result.integration.slug,
    before,
    after: result.integration,
  });
  return Response.json({ integration: toView(result.integration) });
});

export const DELETE = authed<Context>({ role: 'editor' }, async (_request, { params }, { db, workspace, actor }) => {
  const slug = (await params).slug;
  const before = await findIntegration(db, workspace.id, slug);
  if (!before || !(await deleteIntegration(db, workspace.id, slug))) return notFound('integration');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'integration.delete',
    objectType: 'integration',
    objectId: slug,
    before,
  });
  return new Response(null, { status: 204 });
});
