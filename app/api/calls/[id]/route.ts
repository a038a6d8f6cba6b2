import { authed, notFound } from '@/lib/api';
import { callDetail } from '@/lib/queries';

type Context = { params: Promise<{ id: string }> };

/** One call of the request's workspace; a call of another workspace is a 404. */
export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const call = await callDetail(db, workspace.id, (await params).id);
  return call ? Response.json({ call }) : notFound('call');
});
