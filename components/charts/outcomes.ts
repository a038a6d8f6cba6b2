/** Every call outcome, in stacking order, with the label and colour the dashboard uses for it. */
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
