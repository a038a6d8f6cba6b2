import { z } from 'zod';
import { authed, notFound, parseQuery } from '@/lib/api';
import { findIntegration } from '@/lib/integrations';
import { ENVIRONMENTS, rangeQuerySchema } from '@/lib/model';
import { timeseries } from '@/lib/queries';
import { announcedRateLimits } from '@/lib/telemetry';

const querySchema = rangeQuerySchema({ environment: z.enum(ENVIRONMENTS).optional() });

type Context = { params: Promise<{ slug: string }> };

export const GET = authed<Context>(async (request, { params }, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const integration = await findIntegration(db, workspace.id, (await params).slug);
  if (!integration) return notFound('integration');
  return Response.json(
    await timeseries(db, workspace.id, {
      integrationId: integration.id,
      ...query.data,
      announcedPerMinute: announcedRateLimits(workspace.slug).get(integration.slug),
    }),
  );
});
