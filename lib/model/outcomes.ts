/**
 * Every way a logical call can end, in the dashboard's stacking order, with the label and colour the
 * dashboard shows for it. The resilient client sets one per call, the recorder stores it as a rollup's
 * `outcomeClass`, and the read models and charts group by it.
 */
export const OUTCOMES = [
  { key: 'success', label: '2xx', color: 'var(--chart-2)' },
  { key: 'client_error', label: '4xx', color: 'var(--chart-1)' },
  { key: 'server_error', label: '5xx', color: 'var(--chart-4)' },
  { key: 'timeout', label: 'timeout', color: 'var(--chart-3)' },
  { key: 'network', label: 'network', color: 'var(--chart-7)' },
  { key: 'circuit_open', label: 'circuit open', color: 'var(--chart-5)' },
  { key: 'rate_limited', label: 'rate limited', color: 'var(--chart-6)' },
  { key: 'bulkhead_rejected', label: 'bulkhead full', color: '#8b95a3' },
  { key: 'fallback', label: 'fallback', color: '#6e7681' },
  { key: 'cancelled', label: 'cancelled', color: '#484f58' },
] as const;

export type CallOutcome = (typeof OUTCOMES)[number]['key'];

/**
 * Outcomes that count as the upstream (or the path to it) failing: error rates, health and alert rules
 * count these. 4xx answers are the caller's concern; a fallback answered; a cancelled call was given up.
 */
export const ERROR_OUTCOMES: readonly string[] = [
  'server_error',
  'timeout',
  'network',
  'circuit_open',
  'rate_limited',
  'bulkhead_rejected',
] satisfies CallOutcome[];

/** How a call with this outcome is coloured in tables: answered, answered with a caveat, or failed. */
export function outcomeTone(outcome: string): 'ok' | 'warn' | 'bad' {
  if (outcome === 'success') return 'ok';
  if (outcome === 'client_error' || outcome === 'fallback') return 'warn';
  return 'bad';
}

/** How many of the counted calls (counts by outcome, as rollups store them) are errors. */
export function errorsIn(byOutcome: Readonly<Record<string, number>>): number {
  return ERROR_OUTCOMES.reduce((n, outcome) => n + (byOutcome[outcome] ?? 0), 0);
}
