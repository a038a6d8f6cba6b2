import { z } from 'zod';
import { authed, notFound, validationError } from '@/lib/api';
import { countSeries, findSource } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

const MAX_RANGE_MS = 30 * 86_400_000;
const querySchema = z
  .object({ from: z.coerce.date(), to: z.coerce.date().optional() })
  .refine((q) => !q.to || q.to > q.from, { message: 'must be after from', path: ['to'] })
  .refine((q) => (q.to ?? new Date()).getTime() - q.from.getTime() <= MAX_RANGE_MS, {
    message: 'the range is at most 30 days',
    path: ['from'],
  });

type Context = { params: Promise<{ slug: string }> };

/** One source's counts per outcome, per step and in total, over a range. */
export const GET = authed<Context>(async (request, { params }, { db }) => {
  const query = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return validationError(query.error);
  const source = await findSource(db, (await params).slug);
  if (!source) return notFound('webhook source');
  return Response.json(
    await countSeries(db, { sourceId: source.id, from: query.data.from, to: query.data.to ?? new Date() }),
  );
});
