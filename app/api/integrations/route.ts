import { authed, parseJsonBody } from '@/lib/api';
import { createIntegration, integrationSchema, listIntegrations, toView } from '@/lib/integrations';

export const GET = authed(async (_request, _context, { db }) =>
  Response.json({ integrations: (await listIntegrations(db)).map((i) => toView(i)) }),
);

export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, integrationSchema);
  if (!body.ok) return body.response;
  return Response.json({ integration: toView(await createIntegration(db, body.data)) }, { status: 201 });
});
