import { deleteChannel } from '@/lib/alerts';
import { authed, notFound } from '@/lib/api';

type Context = { params: Promise<{ id: string }> };

export const DELETE = authed<Context>(async (_request, { params }, { db }) =>
  (await deleteChannel(db, (await params).id)) ? new Response(null, { status: 204 }) : notFound('alert channel'),
);
