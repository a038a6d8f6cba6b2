import { authed } from '@/lib/api';

export const GET = authed(async (_request, _context, { user }) => Response.json({ user }));
