import { z } from 'zod';
import { authed, notFound, parseQuery } from '@/lib/api';
import { findSync, listItems } from '@/lib/syncs';

export const dynamic = 'force-dynamic';

const querySchema = z.object({
  // SyncItem ids are 32-bit: a larger cursor would fail in the database, not here.
  cursor: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  order: z.enum(['asc', 'desc']).default('desc'),
});

type Context = { params: Promise<{ slug: string }> };

/** Delivered items, newest first by default (`order=asc`: the feed's order); `next` is the cursor of the next page. */
export const GET = authed<Context>(async (request, { params }, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const sync = await findSync(db, workspace.id, (await params).slug);
  if (!sync) return notFound('sync');
  return Response.json(await listItems(db, sync.id, query.data));
});
