import { authed, jsonError, notFound, parseJsonBody, validationError } from '@/lib/api';
import {
  deleteIntegration,
  findIntegration,
  IntegrationConflictError,
  integrationPatchSchema,
  toView,
  updateIntegration,
} from '@/lib/integrations';
import { SecretRoleConflictError } from '@/lib/secret-roles';

type Context = { params: Promise<{ slug: string }> };

export const GET = authed<Context>(async (_request, { params }, { db }) => {
  const integration = await findIntegration(db, (await params).slug);
  return integration ? Response.json({ integration: toView(integration) }) : notFound('integration');
});

export const PATCH = authed<Context>(async (request, { params }, { db }) => {
  const body = await parseJsonBody(request, integrationPatchSchema);
  if (!body.ok) return body.response;
  try {
    const result = await updateIntegration(db, (await params).slug, body.data);
    if (!result) return notFound('integration');
    if (!result.ok) return validationError(result.error!);
    return Response.json({ integration: toView(result.integration) });
  } catch (error) {
    if (error instanceof IntegrationConflictError) return jsonError(409, error.message, { field: error.field });
    if (error instanceof SecretRoleConflictError)
      return jsonError(400, `invalid ${error.field}: ${error.message}`, { field: error.field });
    throw error;
  }
});

export const DELETE = authed<Context>(async (_request, { params }, { db }) => {
  if (!(await deleteIntegration(db, (await params).slug))) return notFound('integration');
  return new Response(null, { status: 204 });
});
