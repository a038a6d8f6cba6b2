/**
 * What the usage rollups count: each billable attempt by the class of its answer, and the calls that never
 * reached the upstream (served by the cache, or refused by the breaker, bulkhead or local rate limit), which
 * are counted so their saving can be priced. Cached and short-circuited calls cost nothing unless priced.
 */
export const USAGE_OUTCOMES = [
  'success',
  'client_error',
  'server_error',
  'rate_limited',
  'cached',
  'short_circuited',
] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

/** Outcome classes free unless a price says otherwise: no request reached the upstream. */
export const FREE_USAGE_OUTCOMES: readonly UsageOutcome[] = ['cached', 'short_circuited'];

/** Why an attempt was made: the call's first, a retry, a hedge, or the first attempt of a manual replay. */
export const ATTEMPT_KINDS = ['first', 'retry', 'hedge', 'replay'] as const;
export type AttemptKind = (typeof ATTEMPT_KINDS)[number];

/** The caller of a call without an API token: which part of Breakwater made it. */
export const INTERNAL_CALLERS = ['replay', 'job', 'sync', 'batch', 'internal'] as const;
