import { z } from 'zod';
import { authed, parseQuery } from '@/lib/api';
import { rangeQuerySchema } from '@/lib/model';
import { listIssues } from '@/lib/queries';

const DAY_MS = 86_400_000;

const querySchema = rangeQuerySchema(
  {
    integration: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  },
  { defaultSpanMs: 3_600_000, maxRangeMs: 7 * DAY_MS },
);

/** Failed calls of the request's workspace grouped into issues (viewer); the last hour unless a range is given. */
export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  return Response.json({ issues: await listIssues(db, workspace.id, query.data) });
});
