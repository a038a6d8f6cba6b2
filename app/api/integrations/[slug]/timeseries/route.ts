import { z } from 'zod';
import { authed, notFound, validationError } from '@/lib/api';
import { findIntegration } from '@/lib/integrations';
import { timeseries } from '@/lib/queries';

const querySchema = z
  .object({ from: z.coerce.date(), to: z.coerce.date().optional() })
  .refine((q) => !q.to || q.to > q.from, { message: 'must be after from', path: ['to'] });

type Context = { params: Promise<{ slug: string }> };

export const GET = authed<Context>(async (request, { params }, { db }) => {
  const query = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return validationError(query.error);
  const integration = await findIntegration(db, (await params).slug);
  if (!integration) return notFound('integration');
  return Response.json(await timeseries(db, { integrationId: integration.id, ...query.data }));
});
