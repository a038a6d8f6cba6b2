import { authed, notFound, parseQuery } from '@/lib/api';
import { findIntegration } from '@/lib/integrations';
import { rangeQuerySchema } from '@/lib/model';
import { chartAnnotations } from '@/lib/queries';

const querySchema = rangeQuerySchema({}, { maxRangeMs: 31 * 86_400_000 });

type Context = { params: Promise<{ slug: string }> };

/** Alert and breaker changes of one integration over a range, for the lines on its charts. */
export const GET = authed<Context>(async (request, { params }, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const integration = await findIntegration(db, workspace.id, (await params).slug);
  if (!integration) return notFound('integration');
  const { from, to } = query.data;
  return Response.json({ annotations: await chartAnnotations(db, workspace.id, integration.id, from, to) });
});
