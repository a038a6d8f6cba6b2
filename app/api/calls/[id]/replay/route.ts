import { authed, jsonError, parseJsonBody } from '@/lib/api';
import { UnsafePathError } from '@/lib/integrations';
import { callRequestMaxBytes, ReplayRefusedError, replayCall, replayInputSchema } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** Replays a recorded call (as recorded or edited) as a new call linked to it; dryRun shows the request. */
export const POST = authed<Context>(async (request, { params }, { db }) => {
  const { id } = await params;
  const input = await parseJsonBody(request, replayInputSchema, { maxBytes: callRequestMaxBytes() });
  if (!input.ok) return input.response;
  try {
    return Response.json(await replayCall(db, id, input.data));
  } catch (error) {
    if (error instanceof ReplayRefusedError)
      return jsonError(error.status, error.message, error.field ? { field: error.field } : {});
    if (error instanceof UnsafePathError)
      return jsonError(400, `invalid edit.path: ${error.message}`, { field: 'edit.path' });
    throw error;
  }
});
