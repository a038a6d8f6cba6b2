import { z } from 'zod';
import { authed, notFound, parseQuery } from '@/lib/api';
import { usageReport } from '@/lib/usage';

const querySchema = z.object({ month: z.string().optional() });

/** The integration's usage and cost of a month (default: this one): by route, outcome and caller. */
export const GET = authed<{ params: Promise<{ slug: string }> }>(async (request, { params }, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const [usage] = await usageReport(db, workspace.id, new Date(), query.data.month, (await params).slug);
  return usage ? Response.json({ usage }) : notFound('integration');
});
