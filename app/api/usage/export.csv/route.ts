import { authed, parseQuery } from '@/lib/api';
import { chargeback, chargebackCsv, monthNamed, usageMonthQuerySchema } from '@/lib/usage';

/** Chargeback: a month's attempts and cost per integration, caller and UTC day, as CSV. A viewer's. */
export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, usageMonthQuerySchema);
  if (!query.ok) return query.response;
  const now = new Date();
  const month = monthNamed(query.data.month, now).start.toISOString().slice(0, 7);
  const csv = chargebackCsv(await chargeback(db, workspace.id, now, month));
  return new Response(csv, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="breakwater-usage-${workspace.slug}-${month}.csv"`,
    },
  });
});
