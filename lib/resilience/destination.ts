import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';
import { ResilienceError } from './errors.ts';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Why a destination was refused; low cardinality, safe to show (it names a range, never a port's state). */
export type RefusalReason =
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'self'
  | 'unparsable';

/** What a refusal reason means, for messages: 'a loopback address', "Breakwater's own port". */
export function describeRefusal(reason: RefusalReason): string {
  return reason === 'self' ? "Breakwater's own port" : `a ${reason.replace('_', '-')} address`;
}

/**
 * The destination policy refused the address a connection would go to. Raised before any packet is sent,
 * so it reads the same whether or not something listens there; never retried, not an upstream failure.
 */
export class DestinationRefusedError extends ResilienceError {
  constructor(
    readonly host: string,
    readonly reason: RefusalReason,
  ) {
    super(`destination refused by the outbound policy (${host} is ${describeRefusal(reason)})`, 'destination_refused');
  }
}

// Cloud metadata services: refused even inside an allowed CIDR unless listed as the exact address.
const METADATA_ADDRESSES = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '100.100.100.200',
  '192.0.0.192',
  'fd00:ec2::254',
]);

const V4_REASONS: Record<string, RefusalReason> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link_local',
  loopback: 'loopback',
  carrierGradeNat: 'private',
  private: 'private',
};
const V6_REASONS: Record<string, RefusalReason> = {
  unspecified: 'unspecified',
  linkLocal: 'link_local',
  multicast: 'multicast',
  loopback: 'loopback',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
};

/** The IPv4 address an IPv6 form carries (mapped, translated, 6to4, Teredo, NAT64), judged as that IPv4. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  const bytes = address.toByteArray();
  if (range === 'ipv4Mapped' || range === 'rfc6145') return new ipaddr.IPv4(bytes.slice(12));
  if (range === 'rfc6052' && address.match(ipaddr.IPv6.parse('64:ff9b::'), 96)) return new ipaddr.IPv4(bytes.slice(12));
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  // Teredo carries the client's address inverted in the last 32 bits.
  if (range === 'teredo') return new ipaddr.IPv4(bytes.slice(12).map((byte) => byte ^ 0xff));
  return undefined;
}

/** Parses every spelling ipaddr.js knows (decimal, hex, octal, short IPv4; bracketed IPv6), else undefined. */
export function parseAddress(host: string): Address | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(bare)) return undefined;
  const address = ipaddr.parse(bare);
  if (address.kind() === 'ipv6') {
    const v4 = embeddedIPv4(address as ipaddr.IPv6);
    if (v4) return v4;
  }
  return address;
}

/** The range an address falls in when it is not a public unicast address. */
function rangeRefusal(address: Address): RefusalReason | undefined {
  if (METADATA_ADDRESSES.has(address.toNormalizedString()) || METADATA_ADDRESSES.has(address.toString()))
    return 'metadata';
  const range = address.range();
  if (range === 'unicast') return undefined;
  // Any other special-purpose range (documentation, benchmarking, NAT64 local use...) is reserved.
  return (address.kind() === 'ipv4' ? V4_REASONS : V6_REASONS)[range] ?? 'reserved';
}

interface AllowEntry {
  name?: string;
  range?: [Address, number];
  port?: number;
}

function parseAllowEntry(raw: string): AllowEntry {
  let text = raw.trim();
  let port: number | undefined;
  // host:port, [v6]:port; a bare IPv6 address has several colons and no port.
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    text = bracketed[1];
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (/^[^:]+:\d+$/.test(text)) {
    const at = text.lastIndexOf(':');
    port = Number(text.slice(at + 1));
    text = text.slice(0, at);
  }
  if (text.includes('/')) {
    if (!ipaddr.isValidCIDR(text)) throw new Error(`not a host, host:port or CIDR: "${raw}"`);
    const [base, bits] = ipaddr.parseCIDR(text);
    const v4 = base.kind() === 'ipv6' && (base as ipaddr.IPv6).isIPv4MappedAddress();
    return v4 ? { range: [(base as ipaddr.IPv6).toIPv4Address(), bits - 96], port } : { range: [base, bits], port };
  }
  const address = parseAddress(text);
  if (address) return { range: [address, address.kind() === 'ipv4' ? 32 : 128], port };
  if (!/^[a-z0-9.-]+$/i.test(text)) throw new Error(`not a host, host:port or CIDR: "${raw}"`);
  return { name: text.toLowerCase().replace(/\.$/, ''), port };
}

export interface DestinationPolicyOptions {
  /** Hosts, host:port, IPv4/IPv6 addresses or CIDRs allowed although they are not public. */
  allow?: readonly string[];
  /** Ports this process listens on: refused on any local address unless that exact host:port is allowed. */
  selfPorts?: readonly number[];
  /** Addresses of this machine besides loopback and unspecified (its interfaces). */
  localAddresses?: readonly string[];
}

/**
 * Which addresses outbound connections may reach. Public unicast addresses pass; loopback, private, CGNAT,
 * link-local, metadata, unspecified, multicast, broadcast and reserved ranges (and IPv6 forms embedding
 * such an IPv4) are refused unless allowed. Built once from the operator's list; reads no environment.
 */
export class DestinationPolicy {
  private readonly entries: AllowEntry[];
  private readonly selfPorts: ReadonlySet<number>;
  private readonly localAddresses: ReadonlySet<string>;

  constructor(options: DestinationPolicyOptions = {}) {
    this.entries = (options.allow ?? []).filter((entry) => entry.trim() !== '').map(parseAllowEntry);
    this.selfPorts = new Set(options.selfPorts ?? []);
    this.localAddresses = new Set(
      (options.localAddresses ?? []).map((text) => parseAddress(text)?.toNormalizedString() ?? text),
    );
  }

  /**
   * Judges one address a connection to `host` (as the URL spells it) on `port` would use; undefined
   * when allowed. `address` is the resolved address, or the host itself when it is literal.
   */
  refusal(host: string, port: number, address: string): RefusalReason | undefined {
    const parsed = parseAddress(address);
    if (!parsed) return 'unparsable';
    const name = host.toLowerCase().replace(/\.$/, '');
    const exactlyAllowed = this.entries.some((entry) => entry.port === port && this.matches(entry, name, parsed, true));
    if (this.isSelf(parsed, port)) return exactlyAllowed ? undefined : 'self';
    const reason = rangeRefusal(parsed);
    if (reason === undefined || exactlyAllowed) return undefined;
    const allowed = this.entries.some(
      (entry) => entry.port === undefined && this.matches(entry, name, parsed, reason !== 'metadata'),
    );
    return allowed ? undefined : reason;
  }

  /**
   * The save-time check of a URL whose host needs no DNS: a literal address, or `localhost` (judged as
   * 127.0.0.1 and ::1). Undefined when allowed or when the host is a name checked at call time.
   */
  literalRefusal(url: URL): RefusalReason | undefined {
    const host = url.hostname;
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const name = host.toLowerCase().replace(/\.$/, '');
    if (name === 'localhost' || name.endsWith('.localhost'))
      return this.refusal(host, port, '127.0.0.1') ?? this.refusal(host, port, '::1');
    return parseAddress(host) ? this.refusal(host, port, host) : undefined;
  }

  private isSelf(address: Address, port: number): boolean {
    if (!this.selfPorts.has(port)) return false;
    const range = address.range();
    return range === 'loopback' || range === 'unspecified' || this.localAddresses.has(address.toNormalizedString());
  }

  private matches(entry: AllowEntry, name: string, address: Address, byRange: boolean): boolean {
    if (entry.name !== undefined) return entry.name === name;
    const [base, bits] = entry.range!;
    if (base.kind() !== address.kind()) return false;
    const full = base.kind() === 'ipv4' ? 32 : 128;
    if (!byRange && bits !== full) return false;
    return address.match(base as never, bits);
  }
}

/** Resolves a host name to every address it has; tests pass a fake one. */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export interface GuardedConnectorOptions {
  resolve?: HostResolver;
  /** The connector that opens the socket once the address passed; undici's own by default. */
  connect?: buildConnector.connector;
}

/**
 * An undici `connect` function that enforces the policy where the connection is made: it resolves the
 * host once, refuses unless EVERY address passes (a name that also answers 127.0.0.1 cannot slip
 * through), then connects to the checked address itself, so a second lookup cannot rebind it. TLS keeps
 * the original host as servername.
 */
export function guardedConnector(
  policy: DestinationPolicy,
  options: GuardedConnectorOptions = {},
): buildConnector.connector {
  const resolve = options.resolve ?? systemResolver;
  const connect = options.connect ?? buildConnector({});
  return (opts, callback) => {
    const { hostname, protocol } = opts;
    const port = Number(opts.port) || (protocol === 'https:' ? 443 : 80);
    const literal = parseAddress(hostname);
    const addresses = literal ? Promise.resolve([hostname]) : resolve(hostname);
    addresses.then(
      (list) => {
        if (list.length === 0)
          return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), null);
        for (const address of list) {
          const reason = policy.refusal(hostname, port, address);
          if (reason) return callback(new DestinationRefusedError(hostname, reason), null);
        }
        // A literal is dialled as written: its embedded IPv4 (6to4, Teredo) was only what it was judged by.
        const address = literal ? hostname : list[0];
        const servername = opts.servername || (literal ? undefined : hostname);
        connect({ ...opts, hostname: address, ...(servername && { servername }) }, callback);
      },
      (error: Error) => callback(error, null),
    );
  };
}
