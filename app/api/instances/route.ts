import { authed } from '@/lib/api';
import { clusterInstances } from '@/lib/server/instances';

export const dynamic = 'force-dynamic';

/**
 * The cluster's instances as their heartbeats left them (viewer and up): id, version, start, calls/s,
 * recorder drops, Redis degraded, and `stale` for one that stopped heartbeating. Instance-level, the same in
 * every workspace: no workspace data in it.
 */
export const GET = authed({ role: 'viewer' }, async () => Response.json({ instances: await clusterInstances() }));
