import { authed, jsonError, parseJsonBody } from '@/lib/api';
import {
  createIntegration,
  IntegrationConflictError,
  integrationSchema,
  listIntegrations,
  toView,
} from '@/lib/integrations';
import { SecretRoleConflictError } from '@/lib/secret-roles';

export const GET = authed(async (_request, _context, { db }) =>
  Response.json({ integrations: (await listIntegrations(db)).map((i) => toView(i)) }),
);

export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, integrationSchema);
  if (!body.ok) return body.response;
  try {
    return Response.json({ integration: toView(await createIntegration(db, body.data)) }, { status: 201 });
  } catch (error) {
    if (error instanceof IntegrationConflictError) return jsonError(409, error.message, { field: error.field });
    if (error instanceof SecretRoleConflictError)
      return jsonError(400, `invalid ${error.field}: ${error.message}`, { field: error.field });
    throw error;
  }
});
