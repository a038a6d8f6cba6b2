import { authed, notFound, parseJsonBody } from '@/lib/api';
import { environmentSwitchSchema, switchEnvironment, toView } from '@/lib/integrations';

type Context = { params: Promise<{ slug: string }> };

/** Switches the integration's active environment (production | sandbox), recorded with who did it. */
export const POST = authed<Context>(async (request, { params }, { db, user }) => {
  const body = await parseJsonBody(request, environmentSwitchSchema);
  if (!body.ok) return body.response;
  const result = await switchEnvironment(db, (await params).slug, body.data.environment, user.username);
  if (!result) return notFound('integration');
  return Response.json({ integration: toView(result.integration), switched: result.switched });
});
