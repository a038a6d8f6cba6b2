/**
 * The stored rollup format (the MetricRollup table): lib/telemetry writes it, lib/queries and the
 * alerts read it. A row counts the calls of one integration, environment, route and outcome on one instance in one
 * time bucket; rows of any buckets and instances add up (latency through the histogram in histogram.ts).
 */

/** Rollups are written at two widths at once: one minute, and one hour that keeps long ranges cheap. */
export const MINUTE_SECONDS = 60;
export const HOUR_SECONDS = 3600;

/** What identifies a row; `outcomeClass` is the call's outcome (lib/model OUTCOMES). */
export interface RollupKey {
  bucketStart: Date;
  bucketSeconds: number;
  integrationId: string;
  route: string;
  outcomeClass: string;
  instance: string;
  /** the integration's target the calls went to: production | sandbox */
  environment: string;
}

/** The counters of a row: each adds up across rows, except latencyMaxMs, the largest. */
export interface RollupCounters {
  count: number;
  retries: number;
  cacheHits: number;
  cacheMisses: number;
  rateLimitWaits: number;
  rateLimitRejections: number;
  latencySumMs: number;
  latencyMaxMs: number;
  /** calls served by the secondary credential after the primary got a 401 (rotation) */
  secondaryCredential: number;
  /** attempts sent upstream, and those that failed (5xx, 429, network, timeout): the upstream's own record */
  attempts: number;
  attemptErrors: number;
  /** calls refused by an open breaker without an attempt sent for them (outcome circuit_open) */
  shortCircuits: number;
  /** calls answered by an expired cache entry because the upstream (or the breaker) failed them */
  staleServed: number;
  /** calls answered by a fallback (outcome fallback) */
  fallbacks: number;
  /** calls the breaker admitted as half-open probes */
  probes: number;
}

/**
 * A stored row: its key, its counters and two latency histograms as JSON (SerializedHistogram): the
 * callers' (every call, cache answers and short circuits included) and the upstream's (per attempt).
 */
export type RollupRow = RollupKey & RollupCounters & { latencyHist: string; attemptHist: string };

export function emptyRollupCounters(): RollupCounters {
  return {
    count: 0,
    retries: 0,
    cacheHits: 0,
    cacheMisses: 0,
    rateLimitWaits: 0,
    rateLimitRejections: 0,
    latencySumMs: 0,
    latencyMaxMs: 0,
    secondaryCredential: 0,
    attempts: 0,
    attemptErrors: 0,
    shortCircuits: 0,
    staleServed: 0,
    fallbacks: 0,
    probes: 0,
  };
}

/** Adds one row's counters (or a single call's) into another's. */
export function addRollupCounters(into: RollupCounters, from: RollupCounters): void {
  into.count += from.count;
  into.retries += from.retries;
  into.cacheHits += from.cacheHits;
  into.cacheMisses += from.cacheMisses;
  into.rateLimitWaits += from.rateLimitWaits;
  into.rateLimitRejections += from.rateLimitRejections;
  into.latencySumMs += from.latencySumMs;
  into.latencyMaxMs = Math.max(into.latencyMaxMs, from.latencyMaxMs);
  into.secondaryCredential += from.secondaryCredential;
  into.attempts += from.attempts;
  into.attemptErrors += from.attemptErrors;
  into.shortCircuits += from.shortCircuits;
  into.staleServed += from.staleServed;
  into.fallbacks += from.fallbacks;
  into.probes += from.probes;
}
