import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { seededRandom } from './faults.ts';
import { demoIntegrations } from './scenario.ts';

export interface TrafficRoute {
  method: string;
  /** Path below the integration; `:name` segments are filled from a small id pool so caches get hits. */
  path: string;
  weight?: number;
}

export interface TrafficIntegration {
  slug: string;
  routes: TrafficRoute[];
}

export interface TrafficOptions {
  /** Breakwater's URL; every request goes to `${baseUrl}/api/gw/{slug}{path}` and nowhere else. */
  baseUrl: string;
  token: string;
  integrations: TrafficIntegration[];
  ratePerSec?: number;
  durationMs?: number;
  signal?: AbortSignal;
  maxInFlight?: number;
  /** Seeds route choice, ids and idempotency keys' presence. */
  seed?: number;
}

export interface TrafficStats {
  sent: number;
  /** Responses by status code, and `error` for requests that got no response. */
  byStatus: Record<string, number>;
  /** Requests not sent because maxInFlight were still waiting. */
  dropped: number;
}

export interface Traffic {
  stop(): Promise<void>;
  stats(): TrafficStats;
  /** Settles once the traffic has stopped, whether by stop(), durationMs or signal. */
  finished: Promise<void>;
}

const TICK_MS = 25;
const ID_POOL_SIZE = 20;
const IDEMPOTENT_POST_SHARE = 0.7;
const REQUEST_TIMEOUT_MS = 30_000;

/** Calls Breakwater's gateway at a steady rate with weighted routes, so the dashboard has something to show. */
export function startTraffic(opts: TrafficOptions): Traffic {
  const ratePerSec = opts.ratePerSec ?? 20;
  const maxInFlight = opts.maxInFlight ?? 10;
  const random = seededRandom(opts.seed ?? Date.now());
  const targets = opts.integrations.flatMap((integration) =>
    integration.routes.map((route) => ({ slug: integration.slug, route, weight: route.weight ?? 1 })),
  );
  const totalWeight = targets.reduce((sum, target) => sum + target.weight, 0);
  if (targets.length === 0 || totalWeight <= 0) throw new Error('startTraffic needs at least one weighted route');

  const base = new URL(opts.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  // One pool bound to the base URL's origin: the generator cannot reach any other host.
  const pool = new Pool(base.origin, {
    connections: maxInFlight,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const aborter = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const stats: TrafficStats = { sent: 0, byStatus: {}, dropped: 0 };
  const startedAt = Date.now();
  let due = 0;

  function pickTarget() {
    let point = random() * totalWeight;
    for (const target of targets) {
      point -= target.weight;
      if (point < 0) return target;
    }
    return targets[targets.length - 1];
  }

  function send(): void {
    const { slug, route } = pickTarget();
    const method = route.method.toUpperCase();
    const path = route.path.replace(
      /:(\w+)/g,
      (_, name: string) => `${name}_${1 + Math.floor(random() * ID_POOL_SIZE)}`,
    );
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token}` };
    let body: string | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      headers['content-type'] = 'application/json';
      if (random() < IDEMPOTENT_POST_SHARE) headers['idempotency-key'] = `demo-${randomUUID()}`;
      body = JSON.stringify({ source: 'breakwater-demo', seq: stats.sent, at: new Date().toISOString() });
    }
    stats.sent += 1;
    const call = pool
      .request({
        method: method as 'GET',
        path: `${basePath}/api/gw/${slug}${path}`,
        headers,
        body,
        signal: aborter.signal,
      })
      .then(async (response) => {
        await response.body.dump();
        count(String(response.statusCode));
      })
      .catch(() => {
        if (!aborter.signal.aborted) count('error');
      })
      .finally(() => inFlight.delete(call));
    inFlight.add(call);
  }

  function count(outcome: string): void {
    stats.byStatus[outcome] = (stats.byStatus[outcome] ?? 0) + 1;
  }

  // Sends what the elapsed time calls for on each tick, so the rate holds above the timer resolution.
  const ticker = setInterval(() => {
    const target = Math.floor(((Date.now() - startedAt) * ratePerSec) / 1000);
    for (; due < target; due++) {
      if (inFlight.size < maxInFlight) send();
      else stats.dropped += 1;
    }
  }, TICK_MS);

  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => {
    resolveFinished = resolve;
  });
  let stopping: Promise<void> | undefined;
  const durationTimer = opts.durationMs === undefined ? undefined : setTimeout(() => void stop(), opts.durationMs);
  const onAbort = () => void stop();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  function stop(): Promise<void> {
    stopping ??= (async () => {
      clearInterval(ticker);
      clearTimeout(durationTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      aborter.abort();
      await Promise.allSettled([...inFlight]);
      await pool.close();
      resolveFinished();
    })();
    return stopping;
  }

  if (opts.signal?.aborted) void stop();
  return { stop, stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }), finished };
}

function parseIntegrations(json: string | undefined): TrafficIntegration[] {
  if (json === undefined) return demoIntegrations;
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error('integrations must be a JSON array of { slug, routes }');
  return parsed as TrafficIntegration[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: process.env.BREAKWATER_URL ?? 'http://127.0.0.1:3000' },
      token: { type: 'string', default: process.env.BREAKWATER_TOKEN },
      integrations: { type: 'string', default: process.env.TRAFFIC_INTEGRATIONS },
      rate: { type: 'string', default: '20' },
      duration: { type: 'string' },
    },
  });
  if (!values.token) throw new Error('pass --token or set BREAKWATER_TOKEN');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const traffic = startTraffic({
    baseUrl: values.url,
    token: values.token,
    integrations: parseIntegrations(values.integrations),
    ratePerSec: Number(values.rate),
    durationMs: values.duration === undefined ? undefined : Number(values.duration),
    signal: controller.signal,
  });
  console.log(`sending ${values.rate} requests/s to ${values.url}/api/gw/; Ctrl-C stops`);
  const report = setInterval(() => console.log(JSON.stringify(traffic.stats())), 5000);
  await traffic.finished;
  clearInterval(report);
  console.log(JSON.stringify(traffic.stats()));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
