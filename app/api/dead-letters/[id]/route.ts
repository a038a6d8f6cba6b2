import { authed, notFound } from '@/lib/api';
import { discardDeadLetters, findJob } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

export const GET = authed<Context>(async (_request, { params }, { db }) => {
  const { id } = await params;
  const job = await findJob(db, id);
  return job?.state === 'dead' ? Response.json(job) : notFound(`dead letter "${id}"`);
});

/** Discards a dead letter: it stays visible as "discarded" but leaves the queue. */
export const DELETE = authed<Context>(async (_request, { params }, { db }) => {
  const { id } = await params;
  return (await discardDeadLetters(db, [id])) ? Response.json({ discarded: 1 }) : notFound(`dead letter "${id}"`);
});
