import { z } from 'zod';
import { authed, notFound, parseQuery } from '@/lib/api';
import { findSync, listRuns } from '@/lib/syncs';

export const dynamic = 'force-dynamic';

const querySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) });

type Context = { params: Promise<{ slug: string }> };

/** The sync's recent runs, newest first. */
export const GET = authed<Context>(async (request, { params }, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const sync = await findSync(db, workspace.id, (await params).slug);
  if (!sync) return notFound('sync');
  return Response.json({ runs: await listRuns(db, sync.id, query.data.limit) });
});
