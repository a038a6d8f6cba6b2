import { z } from 'zod';
import { authed, notFound, parseQuery } from '@/lib/api';
import { findIntegration } from '@/lib/integrations';
import { rangeQuerySchema } from '@/lib/model';
import { queueSeries } from '@/lib/queries';

export const dynamic = 'force-dynamic';

const MAX_RANGE_MS = 30 * 86_400_000;

const querySchema = rangeQuerySchema(
  { integration: z.string().trim().min(1).max(100).optional() },
  { maxRangeMs: MAX_RANGE_MS },
);

/** The workspace's sampled queue depth, dead letters and oldest ages over a range, for the charts. */
export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const { from, to, integration: slug } = query.data;
  const integration = slug ? await findIntegration(db, workspace.id, slug) : null;
  if (slug && !integration) return notFound(`integration "${slug}"`);
  return Response.json(await queueSeries(db, workspace.id, { from, to, integrationId: integration?.id }));
});
