import { authed, parseJsonBody } from '@/lib/api';
import { batchInputSchema, callRequestMaxBytes, resolveTarget, runCallBatch } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

/** Runs the items now, through one of the workspace's integrations (operators and up): one result per item. */
export const POST = authed({ role: 'operator' }, async (request, _context, { db, workspace }) => {
  const input = await parseJsonBody(request, batchInputSchema, { maxBytes: callRequestMaxBytes() });
  if (!input.ok) return input.response;
  const paths = input.data.items.map((item, index) => ({ field: `items.${index}.path`, path: item.path }));
  const integration = await resolveTarget(db, workspace.id, input.data.integration, paths);
  return Response.json(await runCallBatch(db, integration, input.data));
});
