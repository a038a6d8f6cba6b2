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
