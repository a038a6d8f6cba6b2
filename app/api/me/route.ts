import { authed } from '@/lib/api';

/** Who is signed in, the workspace the request is about and their role in it (what the UI may offer). */
export const GET = authed(async (_request, _context, { user, workspace, role }) =>
  Response.json({ user, workspace, role }),
);
