import type { IncomingMessage, ServerResponse } from 'node:http';
import { log } from '@/lib/logging';
import { handleGateway } from './gateway';
import { dataPlaneRoute, limitBodyStall, rawTarget, resolvedPath } from './http';
import { handleWebhook } from './webhooks';

/**
 * Serves a request if it belongs to the data plane (`/api/gw/*`, `/api/webhooks/*`) and says whether it
 * did; anything else is left for Next.
 */
export function serveDataPlane(req: IncomingMessage, res: ServerResponse): boolean {
  const raw = rawTarget(req.url ?? '/');
  // Parsed once here and handed on: the handlers route on the same resolved path.
  const target = { pathname: resolvedPath(raw.pathname), search: raw.search };
  const route = dataPlaneRoute(target.pathname);
  if (route === null) return false;
  limitBodyStall(req, res);
  const handled = route === 'gateway' ? handleGateway(req, res, target) : handleWebhook(req, res, target);
  // Each handler answers its own errors; this is for one that fails while answering (a socket gone, say).
  handled.catch((error) => {
    log.error({ err: error, route }, 'data-plane request failed');
    res.destroy();
  });
  return true;
}
