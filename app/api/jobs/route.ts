import { z } from 'zod';
import { authed, parseJsonBody, parseQuery } from '@/lib/api';
import { callRequestMaxBytes, enqueueJob, jobInputSchema, listJobs, resolveTarget } from '@/lib/jobs';
import { JOB_STATES } from '@/lib/model';
import { assertSecretRole } from '@/lib/secret-roles';

export const dynamic = 'force-dynamic';

/** Enqueues a call to one of the workspace's integrations (operators and up); answers at once with the job id. */
export const POST = authed({ role: 'operator' }, async (request, _context, { db, workspace }) => {
  const input = await parseJsonBody(request, jobInputSchema, { maxBytes: callRequestMaxBytes() });
  if (!input.ok) return input.response;
  const integration = await resolveTarget(db, workspace.id, input.data.integration, [
    { field: 'path', path: input.data.path },
  ]);
  const name = input.data.completionWebhook?.secretEnv;
  await assertSecretRole(db, 'outbound', [{ field: 'completionWebhook.secretEnv', name }], workspace.id);
  const job = await enqueueJob(db, integration, input.data);
  return Response.json({ id: job.id, state: job.state, idempotencyKey: job.idempotencyKey }, { status: 202 });
});

const querySchema = z.object({
  state: z.enum(JOB_STATES).optional(),
  integration: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(200).optional(),
});

export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  return Response.json(await listJobs(db, workspace.id, query.data));
});
