import { authed, notFound, parseJsonBody, validationError } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { deleteSync, findSync, syncPatchSchema, syncView, updateSync } from '@/lib/syncs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ slug: string }> };

export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const sync = await findSync(db, workspace.id, (await params).slug);
  return sync ? Response.json({ sync: syncView(sync) }) : notFound('sync');
});

/** Editors and up; another workspace's sync is a 404. */
export const PATCH = authed<Context>({ role: 'editor' }, async (request, { params }, { db, workspace, actor }) => {
  const { slug } = await params;
  const body = await parseJsonBody(request, syncPatchSchema);
  if (!body.ok) return body.response;
  const before = await findSync(db, workspace.id, slug);
  const result = before && (await updateSync(db, workspace.id, slug, body.data));
  if (!result) return notFound('sync');
  if (!result.ok) return validationError(result.error);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'sync.update',
    objectType: 'sync',
    objectId: result.sync.slug,
    before: syncView(before),
    after: syncView(result.sync),
  });
  return Response.json({ sync: syncView(result.sync) });
});

export const DELETE = authed<Context>({ role: 'editor' }, async (_request, { params }, { db, workspace, actor }) => {
  const { slug } = await params;
  const before = await findSync(db, workspace.id, slug);
  if (!before || !(await deleteSync(db, workspace.id, slug))) return notFound('sync');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'sync.delete',
    objectType: 'sync',
    objectId: slug,
    before: syncView(before),
  });
  return new Response(null, { status: 204 });
});
