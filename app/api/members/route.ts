import { authed } from '@/lib/api';
import { listMembers, listPendingInvites } from '@/lib/auth';

/** The workspace's members and its pending invitations (admins only). */
export const GET = authed({ role: 'admin' }, async (_request, _context, { db, workspace }) =>
  Response.json({
    members: await listMembers(db, workspace.id),
    invites: await listPendingInvites(db, workspace.id),
  }),
);
