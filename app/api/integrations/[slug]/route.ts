import { authed, notFound, parseJsonBody, validationError } from '@/lib/api';
import {
  deleteIntegration,
  findIntegration,
  integrationPatchSchema,
  toView,
  updateIntegration,
} from '@/lib/integrations';

type Context = { params: Promise<{ slug: string }> };

export const GET = authed<Context>(async (_request, { params }, { db }) => {
  const integration = await findIntegration(db, (await params).slug);
  return integration ? Response.json({ integration: toView(integration) }) : notFound('integration');
});

export const PATCH = authed<Context>(async (request, { params }, { db }) => {
  const body = await parseJsonBody(request, integrationPatchSchema);
  if (!body.ok) return body.response;
  const result = await updateIntegration(db, (await params).slug, body.data);
  if (!result) return notFound('integration');
  if (!result.ok) return validationError(result.error!);
  return Response.json({ integration: toView(result.integration) });
});

export const DELETE = authed<Context>(async (_request, { params }, { db }) => {
  if (!(await deleteIntegration(db, (await params).slug))) return notFound('integration');
  return new Response(null, { status: 204 });
});
