import { policySchema } from '@/lib/resilience';

/**
 * The rate limit (calls per minute) an integration's stored policy sets, read through the policy schema so
 * an unset limit gets the same default the client enforces; null when the limit is disabled or the stored
 * JSON is unreadable. Only the rate limit is parsed: a policy stored under older bounds still has one.
 */
export function rateLimitPerMinute(storedPolicy: string): number | null {
  let stored: unknown;
  try {
    stored = JSON.parse(storedPolicy);
  } catch {
    return null;
  }
  const rateLimit = policySchema.shape.rateLimit.safeParse((stored as { rateLimit?: unknown } | null)?.rateLimit);
  return rateLimit.success && rateLimit.data.enabled ? rateLimit.data.perMinute : null;
}
