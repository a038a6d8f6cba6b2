import { z } from 'zod';
import { authed, validationError } from '@/lib/api';
import { listDeadLetters } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

const querySchema = z.object({
  integration: z.string().trim().min(1).max(100).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const GET = authed(async (request, _context, { db }) => {
  const params = [...new URL(request.url).searchParams].filter(([, value]) => value !== '');
  const query = querySchema.safeParse(Object.fromEntries(params));
  if (!query.success) return validationError(query.error);
  return Response.json({ deadLetters: await listDeadLetters(db, query.data) });
});
