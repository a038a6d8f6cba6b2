import { notFound, signedIn } from '@/lib/api';
import { recordAuditForUser } from '@/lib/audit';
import { membershipsOf, revokeSession } from '@/lib/auth';

type Ctx = { params: Promise<{ id: string }> };

/** Ends one of the caller's sessions (another browser's, or this one: then this one is signed out). */
export const DELETE = signedIn<Ctx>({ sessionOnly: true }, async (_request, { params }, { caller, db, address }) => {
  const { id } = await params;
  if (!(await revokeSession(db, caller.user.id, id))) return notFound('session');
  const workspaces = (await membershipsOf(db, caller.user.id)).map((m) => m.workspace.id);
  await recordAuditForUser(db, { type: 'user', id: caller.user.id, name: caller.user.username, address }, workspaces, {
    action: 'session.revoke',
    objectType: 'session',
    objectId: id,
  });
  return new Response(null, { status: 204 });
});
