import { authed } from '@/lib/api';
import { metricsText } from '@/lib/telemetry';

/** Prometheus scrape endpoint (text format 0.0.4): a session or `Authorization: Bearer <API token>`. */
export const GET = authed(async () => {
  return new Response(metricsText(), {
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
  });
});
