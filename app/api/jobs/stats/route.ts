import { z } from 'zod';
import { authed, notFound, parseQuery } from '@/lib/api';
import { findIntegration } from '@/lib/integrations';
import { queueStats } from '@/lib/queries';

export const dynamic = 'force-dynamic';

const querySchema = z.object({ integration: z.string().trim().min(1).max(100).optional() });

/** The workspace's queue: live depth, counts per state, dead letters and oldest ages; of one integration with ?integration=. */
export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const slug = query.data.integration;
  const integration = slug ? await findIntegration(db, workspace.id, slug) : null;
  if (slug && !integration) return notFound(`integration "${slug}"`);
  return Response.json(await queueStats(db, workspace.id, { integrationId: integration?.id }));
});
