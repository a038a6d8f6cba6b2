import { deleteSilence } from '@/lib/alerts';
import { authed, notFound } from '@/lib/api';

type Context = { params: Promise<{ id: string }> };

export const DELETE = authed<Context>(async (_request, { params }, { db }) =>
  (await deleteSilence(db, (await params).id)) ? new Response(null, { status: 204 }) : notFound('silence'),
);
