import { authed, notFound, parseQuery } from '@/lib/api';
import { findIntegration } from '@/lib/integrations';
import { rangeQuerySchema } from '@/lib/model';
import { routeTable } from '@/lib/queries';

const querySchema = rangeQuerySchema({}, { defaultSpanMs: 3_600_000, maxRangeMs: 90 * 86_400_000 });

type Context = { params: Promise<{ slug: string }> };

/** The integration's calls per route over the range (viewer): the last hour unless a range is given. */
export const GET = authed<Context>(async (request, { params }, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const integration = await findIntegration(db, workspace.id, (await params).slug);
  if (!integration) return notFound('integration');
  return Response.json({ routes: await routeTable(db, integration.id, query.data) });
});
