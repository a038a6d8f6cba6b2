import { policySchema } from '@/lib/resilience';

/**
 * The rate limit (calls per minute) an integration's stored policy sets, read through the policy schema so
 * an unset limit gets the same default the client enforces; null when the limit is disabled or the stored
 * JSON is unreadable. Only the rate limit is parsed: a policy stored under older bounds still has one.
 */
export function rateLimitPerMinute(storedPolicy: string): number | null {
  const section = storedSection(storedPolicy, 'rateLimit');
  if (section === UNREADABLE) return null;
  const rateLimit = policySchema.shape.rateLimit.safeParse(section);
  return rateLimit.success && rateLimit.data.enabled ? rateLimit.data.perMinute : null;
}

/** Which limit a usage figure is set against. */
export type RateLimitSource = 'configured' | 'announced' | null;

/**
 * The lower of the configured limit and the one the upstream announced (calls per minute): the one the
 * calls actually meet. Null when neither is known.
 */
export function effectiveRateLimit(
  configured: number | null,
  announced: number | undefined,
): { perMinute: number | null; of: RateLimitSource } {
  if (announced !== undefined && (configured === null || announced < configured))
    return { perMinute: announced, of: 'announced' };
  return configured === null ? { perMinute: null, of: null } : { perMinute: configured, of: 'configured' };
}

/** How long the integration's breaker stays open before it admits a probe (the schema's default if unreadable). */
export function breakerOpenMs(storedPolicy: string): number {
  const section = storedSection(storedPolicy, 'breaker');
  const breaker = policySchema.shape.breaker.safeParse(section === UNREADABLE ? undefined : section);
  return (breaker.success ? breaker.data : policySchema.shape.breaker.parse(undefined)).openMs;
}

const UNREADABLE = Symbol('unreadable policy');

function storedSection(storedPolicy: string, section: string): unknown {
  try {
    return (JSON.parse(storedPolicy) as Record<string, unknown> | null)?.[section];
  } catch {
    return UNREADABLE;
  }
}
