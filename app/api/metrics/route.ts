import { authed } from '@/lib/api';
import { metricsText } from '@/lib/telemetry';
import { usageMetricsText } from '@/lib/usage';

/**
 * Prometheus scrape endpoint (text format 0.0.4): a session or `Authorization: Bearer <API token>`. Only the
 * series of the request's workspace (a token's own; a session's current one, or `?ws=`), each labelled
 * `workspace`, with the process-wide ones (telemetry drops, configuration freshness), and the workspace's cost
 * this month from the database (lib/usage).
 */
export const GET = authed(async (_request, _context, { db, workspace }) => {
  const usage = await usageMetricsText(db, workspace, new Date());
  return new Response(metricsText(workspace.slug) + usage, {
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
  });
});
