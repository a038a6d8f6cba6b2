import { authed, notFound } from '@/lib/api';
import { eventDetail } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const event = await eventDetail(db, workspace.id, (await params).id);
  return event ? Response.json(event) : notFound('webhook event');
});
