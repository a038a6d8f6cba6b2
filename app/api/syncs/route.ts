import { z } from 'zod';
import { authed, parseJsonBody, parseQuery } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { createSync, listSyncs, syncSchema, syncView, wakeSyncRunner } from '@/lib/syncs';

export const dynamic = 'force-dynamic';

const querySchema = z.object({ integration: z.string().trim().min(1).max(100).optional() });

export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const now = new Date();
  const syncs = await listSyncs(db, workspace.id, query.data);
  return Response.json({ syncs: syncs.map((sync) => syncView(sync, now)) });
});

/** Creates a sync of one of the workspace's integrations (editors and up); its first run is due at once. */
export const POST = authed({ role: 'editor' }, async (request, _context, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, syncSchema);
  if (!body.ok) return body.response;
  const sync = await createSync(db, workspace.id, body.data);
  if (sync.enabled) wakeSyncRunner();
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'sync.create',
    objectType: 'sync',
    objectId: sync.slug,
    after: syncView(sync),
  });
  return Response.json({ sync: syncView(sync) }, { status: 201 });
});
