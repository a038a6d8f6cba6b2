import { subscribe } from 'node:diagnostics_channel';
import ipaddr from 'ipaddr.js';
import { setting } from '@/lib/server/env';
import { processSingleton } from '@/lib/server/singleton';

/**
 * Next gives route handlers no socket address, and it fills `x-forwarded-for` from the socket only when
 * the client did not send one, so that header alone is whatever a stranger wrote. Node's own
 * `http.server.request.start` channel sees every request before Next does: the socket's address is written
 * into this header there, replacing anything a client sent under that name.
 */
const PEER_HEADER = 'x-breakwater-peer';

/** Called once at start-up, before requests arrive. */
export function recordPeerAddresses(): void {
  const recording = processSingleton('peer-channel', () => ({ subscribed: false }));
  if (recording.subscribed) return;
  recording.subscribed = true;
  subscribe('http.server.request.start', (message) => {
    const { request, socket } = message as {
      request: { headers: Record<string, string | string[] | undefined> };
      socket: { remoteAddress?: string };
    };
    request.headers[PEER_HEADER] = socket.remoteAddress ?? 'unknown';
  });
}

/**
 * The address throttling keys a caller by. With `BREAKWATER_TRUST_PROXY=n` (n reverse proxies in front,
 * each appending to `x-forwarded-for`), the n-th address from the right of `x-forwarded-for` + socket;
 * by default the socket's own. IPv6 callers are keyed by their /64, which one host usually holds whole.
 */
export function clientAddress(request: Request, trustedProxies = trustProxyCount()): string {
  const forwarded = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const chain = [...forwarded, request.headers.get(PEER_HEADER) ?? 'unknown'];
  return addressKey(chain[Math.max(chain.length - 1 - trustedProxies, 0)]);
}

function trustProxyCount(): number {
  return setting('BREAKWATER_TRUST_PROXY');
}

function addressKey(raw: string): string {
  if (!ipaddr.isValid(raw)) return raw.slice(0, 64);
  const address = ipaddr.process(raw);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`);
  return `${prefix.toString()}/64`;
}
