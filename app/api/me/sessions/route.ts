import { signedIn } from '@/lib/api';
import { recordAuditForUser } from '@/lib/audit';
import { deleteSessionsOf, listSessions, membershipsOf, sessionToken } from '@/lib/auth';

/** The caller's live sessions (address, browser, last seen), their current one marked. */
export const GET = signedIn({ sessionOnly: true }, async (request, _context, { caller, db }) =>
  Response.json({ sessions: await listSessions(db, caller.user.id, sessionToken(request)) }),
);

/** Signs out every other session of the caller's. */
export const DELETE = signedIn({ sessionOnly: true }, async (request, _context, { caller, db, address }) => {
  const ended = await deleteSessionsOf(db, caller.user.id, sessionToken(request));
  const workspaces = (await membershipsOf(db, caller.user.id)).map((m) => m.workspace.id);
  await recordAuditForUser(db, { type: 'user', id: caller.user.id, name: caller.user.username, address }, workspaces, {
    action: 'session.revoke',
    objectType: 'session',
    objectId: 'all-others',
    after: { ended },
  });
  return Response.json({ ended });
});
