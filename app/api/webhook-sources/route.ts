import { z } from 'zod';
import { authed, parseJsonBody, parseQuery } from '@/lib/api';
import { countTotals, createSource, listSources, SourceInputError, sourceSchema, sourceView } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

const querySchema = z
  .object({ from: z.coerce.date().optional(), to: z.coerce.date().optional() })
  .refine((q) => !q.from || !q.to || q.to > q.from, { message: 'must be after from', path: ['to'] });

/** The sources with their counts per outcome over the range (default: the last 24 hours). */
export const GET = authed(async (request, _context, { db }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const to = query.data.to ?? new Date();
  const from = query.data.from ?? new Date(to.getTime() - 86_400_000);
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
  try {
    return Response.json({ source: sourceView(await createSource(db, body.data)) }, { status: 201 });
  } catch (error) {
    if (error instanceof SourceInputError) return error.response();
    throw error;
  }
});
