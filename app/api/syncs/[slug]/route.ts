import { authed, notFound, parseJsonBody, validationError } from '@/lib/api';
import { deleteSync, findSync, syncPatchSchema, syncView, updateSync } from '@/lib/syncs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ slug: string }> };

export const GET = authed<Context>(async (_request, { params }, { db }) => {
  const sync = await findSync(db, (await params).slug);
  return sync ? Response.json({ sync: syncView(sync) }) : notFound('sync');
});

export const PATCH = authed<Context>(async (request, { params }, { db }) => {
  const body = await parseJsonBody(request, syncPatchSchema);
  if (!body.ok) return body.response;
  const result = await updateSync(db, (await params).slug, body.data);
  if (!result) return notFound('sync');
  if (!result.ok) return validationError(result.error);
  return Response.json({ sync: syncView(result.sync) });
});

export const DELETE = authed<Context>(async (_request, { params }, { db }) => {
  if (!(await deleteSync(db, (await params).slug))) return notFound('sync');
  return new Response(null, { status: 204 });
});
