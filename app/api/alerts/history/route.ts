import { stateHistory } from '@/lib/alerts';
import { authed } from '@/lib/api';

export const GET = authed(async (_request, _context, { db, workspace }) =>
  Response.json({ history: await stateHistory(db, workspace.id, {}) }),
);
