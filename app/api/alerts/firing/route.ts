import { firingAlerts } from '@/lib/alerts';
import { authed } from '@/lib/api';

/** For the overview tiles: every firing, unsilenced alert instance. */
export const GET = authed(async (_request, _context, { db }) => Response.json({ firing: await firingAlerts(db) }));
