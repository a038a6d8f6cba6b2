import { authed, jsonError, notFound } from '@/lib/api';
import { findSync, requestRun, syncView, wakeSyncRunner } from '@/lib/syncs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ slug: string }> };

/** Run now: the sync becomes due at once (a run in progress finishes first). */
export const POST = authed<Context>(async (_request, { params }, { db }) => {
  const { slug } = await params;
  const current = await findSync(db, slug);
  if (!current) return notFound('sync');
  if (!current.enabled) return jsonError(409, 'the sync is disabled: enable it to run it', { field: 'enabled' });
  const sync = await requestRun(db, slug);
  if (!sync) return notFound('sync');
  wakeSyncRunner();
  return Response.json({ sync: syncView(sync) }, { status: 202 });
});
