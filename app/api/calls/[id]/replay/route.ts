import { authed, parseJsonBody } from '@/lib/api';
import { callRequestMaxBytes, replayCall, replayInputSchema } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** Replays a recorded call (as recorded or edited) as a new call linked to it; dryRun shows the request. */
export const POST = authed<Context>(async (request, { params }, { db }) => {
  const { id } = await params;
  const input = await parseJsonBody(request, replayInputSchema, { maxBytes: callRequestMaxBytes() });
  if (!input.ok) return input.response;
  return Response.json(await replayCall(db, id, input.data));
});
