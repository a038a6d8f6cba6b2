import { authed, parseJsonBody } from '@/lib/api';
import { batchInputSchema, callRequestMaxBytes, resolveTarget, runCallBatch } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

/** Runs the items now, through the integration's client, and answers with one result per item. */
export const POST = authed(async (request, _context, { db }) => {
  const input = await parseJsonBody(request, batchInputSchema, { maxBytes: callRequestMaxBytes() });
  if (!input.ok) return input.response;
  const paths = input.data.items.map((item, index) => ({ field: `items.${index}.path`, path: item.path }));
  const integration = await resolveTarget(db, input.data.integration, paths);
  return Response.json(await runCallBatch(db, integration, input.data));
});
