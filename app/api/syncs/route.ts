import { z } from 'zod';
import { authed, parseJsonBody, validationError } from '@/lib/api';
import { createSync, listSyncs, syncErrorResponse, syncSchema, syncView, wakeSyncRunner } from '@/lib/syncs';

export const dynamic = 'force-dynamic';

const querySchema = z.object({ integration: z.string().trim().min(1).max(100).optional() });

export const GET = authed(async (request, _context, { db }) => {
  const params = [...new URL(request.url).searchParams].filter(([, value]) => value !== '');
  const query = querySchema.safeParse(Object.fromEntries(params));
  if (!query.success) return validationError(query.error);
  const now = new Date();
  return Response.json({ syncs: (await listSyncs(db, query.data)).map((sync) => syncView(sync, now)) });
});

/** Creates a sync; its first run is due at once. */
export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, syncSchema);
  if (!body.ok) return body.response;
  try {
    const sync = await createSync(db, body.data);
    if (sync.enabled) wakeSyncRunner();
    return Response.json({ sync: syncView(sync) }, { status: 201 });
  } catch (error) {
    const response = syncErrorResponse(error);
    if (response) return response;
    throw error;
  }
});
