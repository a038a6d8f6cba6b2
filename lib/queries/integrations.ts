/** Outcomes that count as the upstream (or the path to it) failing. 4xx answers are the caller's concern. */
export const ERROR_OUTCOMES = [
  'server_error',
  'timeout',
  'network',
  'circuit_open',
  'rate_limited',
  'bulkhead_rejected',
];
