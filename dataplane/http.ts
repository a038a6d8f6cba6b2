import type { IncomingMessage, ServerResponse } from 'node:http';
import { setting } from '@/lib/server/env';

/** The data plane's two prefixes; every other path goes to Next. */
export const GATEWAY_PREFIX = '/api/gw/';
const WEBHOOK_PREFIX = '/api/webhooks/';

/**
 * A request target split as sent: the path still percent-encoded (dot segments resolved once
 * serveDataPlane hands it to a handler), the query byte for byte (with its `?`).
 */
export interface RawTarget {
  pathname: string;
  search: string;
}

/** Splits `req.url`, which node:http leaves raw; an absolute-form target (sent to proxies) keeps its path. */
export function rawTarget(url: string): RawTarget {
  let target = url;
  if (!target.startsWith('/')) {
    const scheme = target.indexOf('://');
    const slash = scheme < 0 ? -1 : target.indexOf('/', scheme + 3);
    target = slash < 0 ? '/' : target.slice(slash);
  }
  const question = target.indexOf('?');
  return question < 0
    ? { pathname: target, search: '' }
    : { pathname: target.slice(0, question), search: target.slice(question) };
}

/**
 * The path with dot segments resolved (`.`, `..`, `%2e%2e`) as WHATWG URL parsing, and Next before the data
 * plane moved out of it, resolves them: `/api/gw/x/../../etc` is `/api/etc`, which is not the gateway's.
 */
export function resolvedPath(rawPathname: string): string {
  if (!/[.\\]|%2e/i.test(rawPathname)) return rawPathname;
  try {
    return new URL(`http://h${rawPathname}`).pathname;
  } catch {
    return rawPathname;
  }
}

export type DataPlaneRoute = 'gateway' | 'webhook';

/** Which data-plane handler takes a path, if any: `/api/gw/...` or `/api/webhooks/...`. */
export function dataPlaneRoute(pathname: string): DataPlaneRoute | null {
  if (pathname.startsWith(GATEWAY_PREFIX)) return 'gateway';
  if (pathname.startsWith(WEBHOOK_PREFIX)) return 'webhook';
  return null;
}

/** Writes a JSON answer (the project's error shape, usually) with its exact length. */
export function sendJson(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': payload.length });
  res.end(payload);
}

/** How long a caller may go on sending a body that was refused before it was read. */
const LINGER_MS = 5000;

/**
 * After an answer given before the request body was read (a 413), reads and discards what the caller still
 * sends, for at most LINGER_MS, instead of closing at once: a socket closed with unread bytes is reset by
 * the kernel, and the caller may lose the answer it was sent (nginx's lingering close). A caller still
 * sending after that is cut off.
 */
export function discardUnreadBody(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  timer.unref();
  const done = () => clearTimeout(timer);
  req.once('end', done);
  req.once('close', done);
  req.resume();
}

/** Whether the request announces a body (a length above 0, or chunked): only those are read under a timer. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Answers 408 and closes the connection when the request body stalls: no byte for
 * BREAKWATER_BODY_TIMEOUT_MS (nginx's client_body_timeout, between two reads, not for the whole body), so a
 * slow-loris sender cannot hold a connection and its handler for ever (server.ts sets no request timeout:
 * gateway answers may stream as long as their upstream does). The timer is the socket's idle timeout, set
 * only while the body is being read; the handler's pending read then fails, and it must not answer again
 * (`res.headersSent`).
 */
export function limitBodyStall(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete || !hasBody(req)) return;
  const ms = setting('BREAKWATER_BODY_TIMEOUT_MS');
  const socket = req.socket;
  const onTimeout = () => {
    stop();
    if (res.headersSent) {
      socket.destroy();
      return;
    }
    const payload = Buffer.from(
      JSON.stringify({ error: `the request body stalled: no bytes for ${ms} ms`, reason: 'body_timeout' }),
    );
    res.writeHead(408, { 'content-type': 'application/json', 'content-length': payload.length, connection: 'close' });
    res.end(payload, () => socket.destroy());
  };
  const stop = () => {
    req.off('timeout', onTimeout);
    req.off('end', bodyRead);
    res.off('finish', stop);
    res.off('close', stop);
  };
  // Read whole before the answer: no idle timeout while the answer is worked out (it may stream for long).
  // An answer that ends first leaves the socket's timeout to node:http (its keep-alive timeout replaces it).
  const bodyRead = () => {
    stop();
    if (!socket.destroyed) socket.setTimeout(0);
  };
  // node:http emits the socket's timeout on the request while its body is incomplete; with a listener there,
  // it leaves the socket to us.
  req.on('timeout', onTimeout);
  req.once('end', bodyRead);
  res.once('finish', stop);
  res.once('close', stop);
  socket.setTimeout(ms);
}
