import { z } from 'zod';
import { authed, parseQuery } from '@/lib/api';
import { listDeadLetters } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

const querySchema = z.object({
  integration: z.string().trim().min(1).max(100).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  return Response.json({ deadLetters: await listDeadLetters(db, workspace.id, query.data) });
});
