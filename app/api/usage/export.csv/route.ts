import { z } from 'zod';
import { authed, parseQuery } from '@/lib/api';
import { chargeback, chargebackCsv, monthNamed } from '@/lib/usage';

const querySchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM')
    .optional(),
});

/** Chargeback: a month's attempts and cost per integration, caller and UTC day, as CSV. A viewer's. */
export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
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
