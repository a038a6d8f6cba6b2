import { z } from 'zod';
import { authed, notFound, parseJsonBody } from '@/lib/api';
import { replayEvent } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

const replaySchema = z.object({ idempotency: z.enum(['reuse', 'new']).default('reuse') }).strict();

type Context = { params: Promise<{ id: string }> };

/** Queues a new forward of a stored event (202 with the job); 409 while a forward is in flight. */
export const POST = authed<Context>(async (request, { params }, { db }) => {
  const body = await parseJsonBody(request, replaySchema);
  if (!body.ok) return body.response;
  const replay = await replayEvent(db, (await params).id, body.data.idempotency);
  return replay ? Response.json(replay, { status: 202 }) : notFound('webhook event');
});
