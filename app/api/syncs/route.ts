import { z } from 'zod';
import { authed, parseJsonBody, parseQuery } from '@/lib/api';
import { createSync, listSyncs, syncSchema, syncView, wakeSyncRunner } from '@/lib/syncs';

export const dynamic = 'force-dynamic';

const querySchema = z.object({ integration: z.string().trim().min(1).max(100).optional() });

export const GET = authed(async (request, _context, { db }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const now = new Date();
  return Response.json({ syncs: (await listSyncs(db, query.data)).map((sync) => syncView(sync, now)) });
});

/** Creates a sync; its first run is due at once. */
export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, syncSchema);
  if (!body.ok) return body.response;
  const sync = await createSync(db, body.data);
  if (sync.enabled) wakeSyncRunner();
  return Response.json({ sync: syncView(sync) }, { status: 201 });
});
