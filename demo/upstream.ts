import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  describeIssues,
  FaultTable,
  faultSpecSchema,
  retryAfterSeconds,
  sampleLatencyMs,
  seededRandom,
} from './faults.ts';

export interface DemoUpstream {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface DemoUpstreamOptions {
  port?: number;
  host?: string;
  /** Seeds latency and failure draws; `POST /__control/reset` rewinds to it. */
  seed?: number;
  /** How fast new items appear on `GET /events`; 0 freezes the feed at its backlog. */
  eventsPerSec?: number;
  /** Events already in the feed at start. */
  eventsBacklog?: number;
}

const CONTROL_PREFIX = '/__control/';
const DEFAULT_GET_CACHE_CONTROL = 'max-age=60';
const DEFAULT_RETRY_AFTER_SEC = 1;
const EVENT_TYPES = [
  'charge.succeeded',
  'charge.refunded',
  'email.delivered',
  'email.bounced',
  'contact.created',
  'contact.updated',
];

interface LastRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  at: string;
}

/** Counters the control API reports; `POST /__control/reset` starts them again. */
class UpstreamRecord {
  requests = 0;
  byRoute: Record<string, number> = {};
  byStatus: Record<string, number> = {};
  effectsByKey: Record<string, number> = {};
  unkeyedEffects = 0;
  lastRequest: LastRequest | undefined;

  effects() {
    const counts = Object.values(this.effectsByKey);
    return {
      total: this.unkeyedEffects + counts.reduce((sum, count) => sum + count, 0),
      unkeyed: this.unkeyedEffects,
      byKey: this.effectsByKey,
      duplicates: Object.keys(this.effectsByKey).filter((key) => this.effectsByKey[key] > 1),
    };
  }

  stats() {
    return { total: this.requests, byRoute: this.byRoute, byStatus: this.byStatus };
  }

  countOutcome(outcome: number | 'hang' | 'reset'): void {
    this.byStatus[outcome] = (this.byStatus[outcome] ?? 0) + 1;
  }
}

/**
 * A third-party API stand-in whose misbehaviour (errors, latency, hangs, resets, rate limits) is set
 * per route through its control API, and which counts the side effects it performed.
 */
export async function startDemoUpstream(opts: DemoUpstreamOptions = {}): Promise<DemoUpstream> {
  const host = opts.host ?? '127.0.0.1';
  const seed = opts.seed ?? 1;
  const eventsPerSec = opts.eventsPerSec ?? 2;
  const eventsBacklog = opts.eventsBacklog ?? 50;
  const faults = new FaultTable();
  let random = seededRandom(seed);
  let record = new UpstreamRecord();
  const pendingDelays = new Set<NodeJS.Timeout>();

  // Event i happened at feedOrigin + i * interval, so the feed is the same for every reader.
  const eventIntervalMs = eventsPerSec > 0 ? 1000 / eventsPerSec : 1000;
  const feedOrigin = Date.now() - eventsBacklog * eventIntervalMs;

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        pendingDelays.delete(timer);
        resolve();
      }, ms);
      pendingDelays.add(timer);
    });

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname.slice(CONTROL_PREFIX.length - 1)}`;
    switch (route) {
      case 'GET /faults':
        return sendJson(res, 200, { faults: faults.list() });
      case 'PUT /faults': {
        const body = await readJson(req);
        if (!body.ok)
          return sendJson(res, 400, { error: 'body is not valid JSON', issues: [{ field: '', message: body.error }] });
        const parsed = faultSpecSchema.safeParse(body.value);
        if (!parsed.success)
          return sendJson(res, 400, { error: 'invalid fault', issues: describeIssues(parsed.error) });
        faults.set(parsed.data);
        return sendJson(res, 200, { fault: parsed.data });
      }
      case 'DELETE /faults': {
        const only = url.searchParams.get('route');
        if (only === null) faults.clear();
        else faults.delete(only);
        return sendJson(res, 200, { faults: faults.list() });
      }
      case 'GET /effects':
        return sendJson(res, 200, record.effects());
      case 'GET /stats':
        return sendJson(res, 200, record.stats());
      case 'GET /last-request':
        return sendJson(res, 200, record.lastRequest ?? null);
      case 'POST /reset':
        faults.clear();
        record = new UpstreamRecord();
        random = seededRandom(seed);
        return sendJson(res, 200, { ok: true });
      default:
        return sendJson(res, 404, { error: `no control route ${route}` });
    }
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const n = ++record.requests;
    record.byRoute[path] = (record.byRoute[path] ?? 0) + 1;
    record.lastRequest = { method, path, query, headers: req.headers, at: new Date().toISOString() };
    // The side effect happens on arrival, whatever the caller later sees: that is what makes retries
    // without an idempotency key dangerous, and what the duplicates list shows.
    if (method !== 'GET' && method !== 'HEAD') {
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') record.effectsByKey[key] = (record.effectsByKey[key] ?? 0) + 1;
      else record.unkeyedEffects += 1;
    }

    const fault = faults.match(path);
    if (fault?.mode === 'hang') {
      record.countOutcome('hang');
      return; // never answered: the client's timeout or the socket closing ends it
    }
    const bodyBytes = await countBodyBytes(req);
    if (fault?.latencyMs) await delay(sampleLatencyMs(fault.latencyMs, random));
    if (fault?.mode === 'reset') {
      record.countOutcome('reset');
      // An RST, so clients see ECONNRESET; a plain destroy() sends FIN, which undici reports as "other side closed".
      req.socket.resetAndDestroy();
      return;
    }

    const headers: OutgoingHttpHeaders = { 'x-upstream-request-id': randomUUID() };
    const now = Date.now();
    const send = (status: number, body: unknown) => {
      record.countOutcome(status);
      sendJson(res, status, body, headers);
    };
    if (fault?.rateLimit) {
      const window = faults.consumeRate({ ...fault, rateLimit: fault.rateLimit }, now);
      headers['x-ratelimit-limit'] = window.limit;
      headers['x-ratelimit-remaining'] = window.remaining;
      headers['x-ratelimit-reset'] = window.resetAt;
      // The IETF draft's header names the window, which X-RateLimit-Limit leaves to be guessed.
      headers['ratelimit-policy'] = `${window.limit};w=${fault.rateLimit.windowSec}`;
      if (!window.allowed) {
        headers['retry-after'] = String(fault.retryAfter ?? window.retryAfterSec);
        return send(429, { ok: false, error: 'rate limit exceeded', n });
      }
    }
    if (fault?.mode === 'ratelimit') {
      const retryAfter = fault.retryAfter ?? DEFAULT_RETRY_AFTER_SEC;
      headers['retry-after'] = String(retryAfter);
      headers['x-ratelimit-limit'] = fault.rateLimit?.limit ?? 0;
      headers['x-ratelimit-remaining'] = 0;
      headers['x-ratelimit-reset'] = Math.ceil(now / 1000) + retryAfterSeconds(retryAfter, now);
      return send(429, { ok: false, error: 'rate limited', n });
    }
    if (fault?.mode === 'fail' && random() < fault.failRate) {
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      return send(fault.failStatus, { ok: false, error: 'injected failure', status: fault.failStatus, n });
    }

    if (method === 'GET' && path === '/events') {
      const page = eventsPage(url.searchParams);
      if (!page.ok) return send(400, { ok: false, error: page.error });
      headers['cache-control'] = fault?.cacheControl ?? 'no-store'; // a polled feed must not be cached
      return send(200, page.value);
    }
    if (method === 'GET') headers['cache-control'] = fault?.cacheControl ?? DEFAULT_GET_CACHE_CONTROL;
    send(200, { ok: true, method, path, query, n, bodyBytes });
  }

  function eventsPage(params: URLSearchParams) {
    const since = Number(params.get('since') ?? '0');
    const limit = Number(params.get('limit') ?? '50');
    if (!Number.isInteger(since) || since < 0) return { ok: false as const, error: 'since must be a cursor from next' };
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      return { ok: false as const, error: 'limit must be an integer in 1..500' };
    }
    const available = eventsPerSec > 0 ? Math.floor((Date.now() - feedOrigin) / eventIntervalMs) : eventsBacklog;
    const end = Math.min(available, since + limit);
    const items = [];
    for (let index = since; index < end; index++) {
      items.push({
        id: `evt_${String(index).padStart(8, '0')}`,
        at: new Date(feedOrigin + index * eventIntervalMs).toISOString(),
        type: EVENT_TYPES[Math.floor(seededRandom(seed ^ index)() * EVENT_TYPES.length)],
      });
    }
    return { ok: true as const, value: { items, next: String(Math.max(since, end)) } };
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream.invalid');
    const handler = url.pathname.startsWith(CONTROL_PREFIX) ? handleControl : handleApi;
    handler(req, res, url).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pendingDelays) clearTimeout(timer);
        pendingDelays.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Hung requests and keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

async function countBodyBytes(req: IncomingMessage): Promise<number> {
  let bytes = 0;
  for await (const chunk of req) bytes += (chunk as Buffer).length;
  return bytes;
}

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { ok: true, value: text === '' ? {} : JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: '1' },
      'events-per-sec': { type: 'string', default: '2' },
    },
  });
  const upstream = await startDemoUpstream({
    port: Number(values.port),
    host: values.host,
    seed: Number(values.seed),
    eventsPerSec: Number(values['events-per-sec']),
  });
  const shutdown = () => void upstream.close().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  // Logged last: a script that waits for this line may signal the process at once.
  console.log(`demo upstream listening on ${upstream.url} (control API at ${upstream.url}/__control/faults)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
