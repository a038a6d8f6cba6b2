import { z } from 'zod';
import { parseJsonBody, signedIn } from '@/lib/api';
import { recordAuditForUser } from '@/lib/audit';
import { changePassword, membershipsOf, sessionToken } from '@/lib/auth';

const passwordSchema = z.object({
  current: z.string().min(1, 'is required').max(1000),
  next: z.string().max(1000),
});

/** Changes the caller's password; their other sessions end. The audit records that it changed, no value. */
export const POST = signedIn({ sessionOnly: true }, async (request, _context, { caller, db, address }) => {
  const body = await parseJsonBody(request, passwordSchema);
  if (!body.ok) return body.response;
  const { sessionsEnded } = await changePassword(db, {
    userId: caller.user.id,
    current: body.data.current,
    next: body.data.next,
    keepToken: sessionToken(request),
  });
  const workspaces = (await membershipsOf(db, caller.user.id)).map((m) => m.workspace.id);
  await recordAuditForUser(db, { type: 'user', id: caller.user.id, name: caller.user.username, address }, workspaces, {
    action: 'user.password',
    objectType: 'user',
    objectId: caller.user.id,
  });
  return Response.json({ ok: true, sessionsEnded });
});
