import { createSilence, listSilences, silenceSchema } from '@/lib/alerts';
import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';

export const GET = authed(async (_request, _context, { db, workspace }) =>
  Response.json({ silences: await listSilences(db, workspace.id) }),
);

/** Operators and up. */
export const POST = authed({ role: 'operator' }, async (request, _context, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, silenceSchema);
  if (!body.ok) return body.response;
  const silence = await createSilence(db, workspace.id, body.data);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'silence.create',
    objectType: 'alertSilence',
    objectId: silence.id,
    after: silence,
  });
  return Response.json({ silence }, { status: 201 });
});
