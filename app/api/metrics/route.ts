import { authed } from '@/lib/api';
import { metricsText } from '@/lib/telemetry';

/**
 * Prometheus scrape endpoint (text format 0.0.4): a session or `Authorization: Bearer <API token>`. Only the
 * series of the request's workspace (a token's own; a session's current one, or `?ws=`), each labelled
 * `workspace`, with the process-wide ones (telemetry drops, configuration freshness).
 */
export const GET = authed(async (_request, _context, { workspace }) => {
  return new Response(metricsText(workspace.slug), {
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
  });
});
