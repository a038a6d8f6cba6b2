import type { Policy } from './options.ts';

/**
 * Delay before retry number `retry` (1-based). With jitter, exponential backoff uses AWS's decorrelated
 * jitter (each delay drawn between the initial delay and three times the previous one, capped), which
 * spreads a herd of clients better than full jitter; constant and linear spread ±25%.
 */
export function backoffDelay(
  retry: number,
  previousDelayMs: number,
  options: Policy['retry'],
  random: () => number = Math.random,
): number {
  const { initialDelayMs, maxDelayMs, factor } = options;
  let delay: number;
  if (options.backoff === 'constant') delay = initialDelayMs;
  else if (options.backoff === 'linear') delay = initialDelayMs * retry;
  else if (options.jitter) {
    const upper = Math.max(initialDelayMs, previousDelayMs * 3);
    return Math.min(maxDelayMs, initialDelayMs + random() * (upper - initialDelayMs));
  } else delay = initialDelayMs * factor ** (retry - 1);
  if (options.jitter) delay *= 0.75 + random() * 0.5;
  return Math.min(maxDelayMs, delay);
}
