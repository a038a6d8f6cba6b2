import { authed, parseQuery } from '@/lib/api';
import { usageMonthQuerySchema, usageReport } from '@/lib/usage';

/** Every integration's usage and cost of a month (default: this one, with a forecast to its end). */
export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, usageMonthQuerySchema);
  if (!query.ok) return query.response;
  return Response.json({ integrations: await usageReport(db, workspace.id, new Date(), query.data.month) });
});
