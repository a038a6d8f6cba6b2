import { z } from 'zod';
import { authed, notFound, validationError } from '@/lib/api';
import { findIntegration } from '@/lib/integrations';
import { queueStats } from '@/lib/queries';

export const dynamic = 'force-dynamic';

const querySchema = z.object({ integration: z.string().trim().min(1).max(100).optional() });

/** The queue's live depth, counts per state, dead letters and oldest ages; of one integration with ?integration=. */
export const GET = authed(async (request, _context, { db }) => {
  const params = [...new URL(request.url).searchParams].filter(([, value]) => value !== '');
  const query = querySchema.safeParse(Object.fromEntries(params));
  if (!query.success) return validationError(query.error);
  const slug = query.data.integration;
  const integration = slug ? await findIntegration(db, slug) : null;
  if (slug && !integration) return notFound(`integration "${slug}"`);
  return Response.json(await queueStats(db, { integrationId: integration?.id }));
});
