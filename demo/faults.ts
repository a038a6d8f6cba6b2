import { z } from 'zod';

const routePattern = z
  .string()
  .refine(
    (route) => route === '*' || route.startsWith('/'),
    "must be '*', an exact path or a prefix like '/payments/*'",
  );

const latencySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), ms: z.number().min(0) }),
  z
    .strictObject({ kind: z.literal('uniform'), min: z.number().min(0), max: z.number().min(0) })
    .refine((latency) => latency.max >= latency.min, { message: 'max must be >= min', path: ['max'] }),
  z
    .strictObject({ kind: z.literal('lognormal'), median: z.number().positive(), p99: z.number().positive() })
    .refine((latency) => latency.p99 >= latency.median, { message: 'p99 must be >= median', path: ['p99'] }),
]);

const retryAfterSchema = z.union([
  z.number().min(0),
  z.string().refine((date) => !Number.isNaN(Date.parse(date)), 'must be seconds or an HTTP-date'),
]);

/** What `PUT /__control/faults` accepts: how one route (or prefix, or every route) misbehaves. */
export const faultSpecSchema = z.strictObject({
  route: routePattern.default('*'),
  mode: z.enum(['ok', 'fail', 'hang', 'reset', 'ratelimit']).default('ok'),
  failRate: z.number().min(0).max(1).default(1),
  failStatus: z.number().int().min(100).max(599).default(503),
  latencyMs: latencySchema.optional(),
  retryAfter: retryAfterSchema.optional(),
  rateLimit: z.strictObject({ limit: z.number().int().min(0), windowSec: z.number().positive() }).optional(),
  /** Overrides the `Cache-Control` of successful GET responses. */
  cacheControl: z.string().optional(),
});

/** A fault as written by a caller (defaults may be left out). */
export type FaultSpecInput = z.input<typeof faultSpecSchema>;
/** A fault with its defaults filled in. */
export type FaultSpec = z.output<typeof faultSpecSchema>;
export type LatencySpec = z.output<typeof latencySchema>;

/** Field-named problems, so a 400 tells the caller which field to fix. */
export function describeIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.join('.') || ('keys' in issue ? issue.keys.join(',') : ''),
    message: issue.message,
  }));
}

/** mulberry32: tiny, fast and good enough to make latency and failure draws reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const Z_99 = 2.3263478740408408;

export function sampleLatencyMs(latency: LatencySpec, random: () => number): number {
  switch (latency.kind) {
    case 'fixed':
      return latency.ms;
    case 'uniform':
      return latency.min + random() * (latency.max - latency.min);
    case 'lognormal': {
      // Fit ln(latency) ~ N(mu, sigma) through the median and the 99th percentile.
      const mu = Math.log(latency.median);
      const sigma = (Math.log(latency.p99) - mu) / Z_99;
      return Math.exp(mu + sigma * standardNormal(random));
    }
  }
}

function standardNormal(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Seconds until a `Retry-After` value (delta-seconds or HTTP-date) expires. */
export function retryAfterSeconds(retryAfter: number | string, now: number): number {
  return typeof retryAfter === 'number' ? retryAfter : Math.max(0, Math.ceil((Date.parse(retryAfter) - now) / 1000));
}

interface RateWindow {
  startedAt: number;
  used: number;
}

export interface RateDecision {
  limit: number;
  remaining: number;
  /** Epoch seconds when the window resets. */
  resetAt: number;
  /** Whole seconds (at least 1) until the window resets. */
  retryAfterSec: number;
  allowed: boolean;
}

/**
 * The configured faults, looked up per request path: an exact route wins over the longest prefix
 * (`/payments/*`), which wins over `*`.
 */
export class FaultTable {
  private readonly faults = new Map<string, FaultSpec>();
  private readonly windows = new Map<string, RateWindow>();

  set(fault: FaultSpec): void {
    this.faults.set(fault.route, fault);
    this.windows.delete(fault.route);
  }

  delete(route: string): boolean {
    this.windows.delete(route);
    return this.faults.delete(route);
  }

  clear(): void {
    this.faults.clear();
    this.windows.clear();
  }

  list(): FaultSpec[] {
    return [...this.faults.values()];
  }

  match(path: string): FaultSpec | undefined {
    const exact = this.faults.get(path);
    if (exact) return exact;
    let best: FaultSpec | undefined;
    let bestLength = -1;
    for (const fault of this.faults.values()) {
      if (!fault.route.endsWith('/*')) continue;
      const prefix = fault.route.slice(0, -2);
      if ((path === prefix || path.startsWith(`${prefix}/`)) && prefix.length > bestLength) {
        best = fault;
        bestLength = prefix.length;
      }
    }
    return best ?? this.faults.get('*');
  }

  /** Takes one request from the route's fixed window. */
  consumeRate(fault: FaultSpec & { rateLimit: NonNullable<FaultSpec['rateLimit']> }, now: number): RateDecision {
    const windowMs = fault.rateLimit.windowSec * 1000;
    let window = this.windows.get(fault.route);
    if (!window || now - window.startedAt >= windowMs) {
      window = { startedAt: now, used: 0 };
      this.windows.set(fault.route, window);
    }
    const allowed = window.used < fault.rateLimit.limit;
    if (allowed) window.used += 1;
    return {
      limit: fault.rateLimit.limit,
      remaining: fault.rateLimit.limit - window.used,
      resetAt: Math.ceil((window.startedAt + windowMs) / 1000),
      retryAfterSec: Math.max(1, Math.ceil((window.startedAt + windowMs - now) / 1000)),
      allowed,
    };
  }
}
