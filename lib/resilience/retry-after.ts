// Parsing of the upstream's "wait this long" headers, shared by retry, rate limiter and errors.

export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const epochSecondsThreshold = 1_000_000_000;

export function parseRateLimitReset(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined;
  const n = Number(value);
  return n >= epochSecondsThreshold ? Math.max(0, n * 1000 - now) : n * 1000;
}

/**
 * The limit the upstream announces, as calls per minute: the IETF draft's RateLimit-Policy (`100;w=60`, or
 * `"default";q=100;w=60`; the tightest of its policies) else RateLimit-Limit or X-RateLimit-Limit, whose window
 * is not said and is taken as a minute (the common one). A window longer than a minute may be spent within one
 * minute, so it caps a minute at its whole quota; a shorter one scales up to the minute.
 */
export function parseAnnouncedLimit(headers: Record<string, string | undefined>): number | undefined {
  const policies = (headers['ratelimit-policy'] ?? '')
    .split(',')
    .map(policyPerMinute)
    .filter((perMinute): perMinute is number => perMinute !== undefined);
  if (policies.length > 0) return Math.min(...policies);
  const limit = leadingCount(headers['ratelimit-limit'] ?? headers['x-ratelimit-limit']);
  // A limit of 0 announces nothing usable (some upstreams send it beside a 429's Retry-After).
  return limit ? limit : undefined;
}

function policyPerMinute(policy: string): number | undefined {
  const parts = policy.split(';').map((part) => part.trim());
  const quota = leadingCount(parts.find((part) => part.startsWith('q='))?.slice(2) ?? parts[0]);
  const window = Number(parts.find((part) => part.startsWith('w='))?.slice(2) ?? '60');
  if (!quota || !(window > 0)) return undefined;
  return window >= 60 ? quota : Math.floor((quota * 60) / window);
}

/** A whole count at the start of a header value (`100`, or `100, 100;w=60` as some upstreams send). */
function leadingCount(value: string | undefined): number | undefined {
  const match = value?.trim().match(/^\d+/);
  return match ? Number(match[0]) : undefined;
}
