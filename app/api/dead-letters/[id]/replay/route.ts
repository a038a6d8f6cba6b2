import { authed, notFound } from '@/lib/api';
import { replayDeadLetters } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** Puts a dead letter back in the queue with fresh attempts and its original idempotency key. */
export const POST = authed<Context>(async (_request, { params }, { db }) => {
  const { id } = await params;
  return (await replayDeadLetters(db, [id]))
    ? Response.json({ requeued: 1 }, { status: 202 })
    : notFound(`dead letter "${id}"`);
});
