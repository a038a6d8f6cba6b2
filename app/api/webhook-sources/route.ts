import { authed, parseJsonBody, parseQuery } from '@/lib/api';
import { rangeQuerySchema } from '@/lib/model';
import { countTotals, createSource, listSources, sourceSchema, sourceView } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

const querySchema = rangeQuerySchema({}, { defaultSpanMs: 86_400_000 });

/** The sources with their counts per outcome over the range (default: the last 24 hours). */
export const GET = authed(async (request, _context, { db }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const { from, to } = query.data;
  const [sources, totals] = await Promise.all([listSources(db), countTotals(db, { from, to })]);
  return Response.json({
    from,
    to,
    sources: sources.map((s) => ({ ...sourceView(s), counts: totals.get(s.id) ?? null })),
  });
});

export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, sourceSchema);
  if (!body.ok) return body.response;
  return Response.json({ source: sourceView(await createSource(db, body.data)) }, { status: 201 });
});
