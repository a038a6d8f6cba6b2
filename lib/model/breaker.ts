/** A circuit breaker's state; `isolated` is held open by an operator. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/** States in which a breaker rejects (or would reject) calls: an integration in one is failing. */
export const TRIPPED_BREAKER_STATES: ReadonlySet<string> = new Set<BreakerState>(['open', 'half-open', 'isolated']);
