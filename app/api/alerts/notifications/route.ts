import { listNotifications } from '@/lib/alerts';
import { authed } from '@/lib/api';

export const GET = authed(async (_request, _context, { db, workspace }) =>
  Response.json({ notifications: await listNotifications(db, workspace.id) }),
);
