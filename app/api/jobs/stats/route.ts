import { authed } from '@/lib/api';
import { jobStats } from '@/lib/jobs';

export const dynamic = 'force-dynamic';

export const GET = authed(async (_request, _context, { db }) => Response.json(await jobStats(db)));
