/** An integration's health on the overview: judged on its recent error rate and its breakers. */
export type Health = 'ok' | 'warn' | 'bad' | 'idle';

/**
 * Error rates (0..1) from which an integration is degraded or failing. `bad` is the default alert rule's
 * error rate (5 %), so a tile turns red when that rule would fire.
 */
export const ERROR_RATE_THRESHOLDS = { warn: 0.01, bad: 0.05 } as const;

/** The tone of an error rate: 'bad' or 'warn' past a threshold, undefined below both or without traffic. */
export function errorRateTone(errorRate: number | null): 'bad' | 'warn' | undefined {
  if (errorRate === null) return undefined;
  if (errorRate >= ERROR_RATE_THRESHOLDS.bad) return 'bad';
  if (errorRate >= ERROR_RATE_THRESHOLDS.warn) return 'warn';
  return undefined;
}

/** Health from the recent error rate (null without traffic) and whether any breaker is tripped. */
export function healthOf(errorRate: number | null, breakerTripped: boolean): Health {
  if (breakerTripped) return 'bad';
  if (errorRate === null) return 'idle';
  return errorRateTone(errorRate) ?? 'ok';
}
