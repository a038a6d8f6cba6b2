import { authed, notFound, parseJsonBody, validationError } from '@/lib/api';
import { deleteSource, findSource, sourcePatchSchema, sourceView, updateSource } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ slug: string }> };

export const GET = authed<Context>(async (_request, { params }, { db }) => {
  const source = await findSource(db, (await params).slug);
  return source ? Response.json({ source: sourceView(source) }) : notFound('webhook source');
});

export const PATCH = authed<Context>(async (request, { params }, { db }) => {
  const body = await parseJsonBody(request, sourcePatchSchema);
  if (!body.ok) return body.response;
  const result = await updateSource(db, (await params).slug, body.data);
  if (!result) return notFound('webhook source');
  if (!result.ok) return validationError(result.error);
  return Response.json({ source: sourceView(result.source) });
});

export const DELETE = authed<Context>(async (_request, { params }, { db }) => {
  if (!(await deleteSource(db, (await params).slug))) return notFound('webhook source');
  return new Response(null, { status: 204 });
});
