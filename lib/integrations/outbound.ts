import { networkInterfaces } from 'node:os';
import type { z } from 'zod';
import { DestinationPolicy, describeRefusal } from '@/lib/resilience';
import { setting } from '@/lib/server/env';

let cached: { key: string; policy: DestinationPolicy } | undefined;

/**
 * The operator's destination policy, the one every outbound client gets: BREAKWATER_OUTBOUND_ALLOW
 * (comma-separated hosts, host:port or CIDRs) and the port this server listens on (`server.ts` sets
 * PORT to the port it bound), so Breakwater cannot be pointed at itself through any local address.
 */
export function outboundPolicy(env: NodeJS.ProcessEnv = process.env): DestinationPolicy {
  const allow = setting('BREAKWATER_OUTBOUND_ALLOW', env) ?? '';
  const port = setting('PORT', env);
  const key = `${allow}\n${port ?? ''}`;
  if (cached?.key !== key) {
    const localAddresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
    const policy = new DestinationPolicy({
      allow: allow.split(','),
      selfPorts: port ? [port] : [],
      localAddresses,
    });
    cached = { key, policy };
  }
  return cached.policy;
}

/** Save-time check of an outbound URL whose host is a literal address or localhost; names wait for call time. */
export function outboundUrlRefusal(value: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const reason = outboundPolicy(env).literalRefusal(url);
  if (!reason) return undefined;
  return `is ${describeRefusal(reason)}, refused by the outbound policy (the operator can allow it in BREAKWATER_OUTBOUND_ALLOW)`;
}

/** The zod refinement every outbound URL field uses: a 400 naming the field when its literal host is refused. */
export function refuseOutboundUrl(value: string, ctx: z.RefinementCtx): void {
  const refusal = outboundUrlRefusal(value);
  if (refusal) ctx.addIssue({ code: 'custom', message: refusal });
}

const publicOnly = new DestinationPolicy();

/**
 * Whether plain http may carry credentials to `url`: only to a literal non-public address (or localhost)
 * that the operator allowed in BREAKWATER_OUTBOUND_ALLOW, such as a test's server on 127.0.0.1. A public
 * or named host must use https.
 */
export function plainHttpAllowed(url: URL, env: NodeJS.ProcessEnv = process.env): boolean {
  if (url.protocol !== 'http:') return false;
  return publicOnly.literalRefusal(url) !== undefined && outboundPolicy(env).literalRefusal(url) === undefined;
}
