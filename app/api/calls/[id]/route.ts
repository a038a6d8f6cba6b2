import { authed, notFound } from '@/lib/api';
import { callDetail } from '@/lib/queries';

type Context = { params: Promise<{ id: string }> };

export const GET = authed<Context>(async (_request, { params }, { db }) => {
  const call = await callDetail(db, (await params).id);
  return call ? Response.json({ call }) : notFound('call');
});
