import { authed, jsonError, notFound } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { findSync, requestRun, syncView, wakeSyncRunner } from '@/lib/syncs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ slug: string }> };

/** Run now (operators and up): the sync becomes due at once (a run in progress finishes first). */
export const POST = authed<Context>({ role: 'operator' }, async (_request, { params }, { db, workspace, actor }) => {
  const { slug } = await params;
  const current = await findSync(db, workspace.id, slug);
  if (!current) return notFound('sync');
  if (!current.enabled) return jsonError(409, 'the sync is disabled: enable it to run it', { field: 'enabled' });
  const sync = await requestRun(db, workspace.id, slug);
  if (!sync) return notFound('sync');
  wakeSyncRunner();
  await recordAudit(db, actor, { workspaceId: workspace.id, action: 'sync.run', objectType: 'sync', objectId: slug });
  return Response.json({ sync: syncView(sync) }, { status: 202 });
});
