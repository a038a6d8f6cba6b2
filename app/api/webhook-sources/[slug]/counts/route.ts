import { authed, notFound, parseQuery } from '@/lib/api';
import { rangeQuerySchema } from '@/lib/model';
import { countSeries, findSource } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

const MAX_RANGE_MS = 30 * 86_400_000;
const querySchema = rangeQuerySchema({}, { maxRangeMs: MAX_RANGE_MS });

type Context = { params: Promise<{ slug: string }> };

/** One source's counts per outcome, per step and in total, over a range. */
export const GET = authed<Context>(async (request, { params }, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const source = await findSource(db, workspace.id, (await params).slug);
  if (!source) return notFound('webhook source');
  return Response.json(await countSeries(db, { sourceId: source.id, from: query.data.from, to: query.data.to }));
});
