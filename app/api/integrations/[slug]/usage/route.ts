import { authed, notFound, parseQuery } from '@/lib/api';
import { usageMonthQuerySchema, usageReport } from '@/lib/usage';

/** The integration's usage and cost of a month (default: this one): by route, outcome and caller. */
export const GET = authed<{ params: Promise<{ slug: string }> }>(async (request, { params }, { db, workspace }) => {
  const query = parseQuery(request, usageMonthQuerySchema);
  if (!query.ok) return query.response;
  const [usage] = await usageReport(db, workspace.id, new Date(), query.data.month, (await params).slug);
  return usage ? Response.json({ usage }) : notFound('integration');
});
