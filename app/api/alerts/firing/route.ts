import { firingAlerts } from '@/lib/alerts';
import { authed } from '@/lib/api';

/** For the overview tiles: every firing, unsilenced alert instance of the workspace. */
export const GET = authed(async (_request, _context, { db, workspace }) =>
  Response.json({ firing: await firingAlerts(db, workspace.id) }),
);
