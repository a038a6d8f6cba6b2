import { authed, notFound, parseJsonBody, validationError } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { deleteSource, findSource, sourcePatchSchema, sourceView, updateSource } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ slug: string }> };

export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const source = await findSource(db, workspace.id, (await params).slug);
  return source ? Response.json({ source: sourceView(source) }) : notFound('webhook source');
});

/** Editors and up; another workspace's source is a 404. */
export const PATCH = authed<Context>({ role: 'editor' }, async (request, { params }, { db, workspace, actor }) => {
  const { slug } = await params;
  const body = await parseJsonBody(request, sourcePatchSchema);
  if (!body.ok) return body.response;
  const before = await findSource(db, workspace.id, slug);
  const result = before && (await updateSource(db, workspace.id, slug, body.data));
  if (!result) return notFound('webhook source');
  if (!result.ok) return validationError(result.error);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'source.update',
    objectType: 'webhookSource',
    objectId: result.source.slug,
    before: sourceView(before),
    after: sourceView(result.source),
  });
  return Response.json({ source: sourceView(result.source) });
});

export const DELETE = authed<Context>({ role: 'editor' }, async (_request, { params }, { db, workspace, actor }) => {
  const { slug } = await params;
  const before = await findSource(db, workspace.id, slug);
  if (!before || !(await deleteSource(db, workspace.id, slug))) return notFound('webhook source');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'source.delete',
    objectType: 'webhookSource',
    objectId: slug,
    before: sourceView(before),
  });
  return new Response(null, { status: 204 });
});
