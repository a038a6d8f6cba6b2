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
}

/** A stored row: its key, its counters and the latency histogram as JSON (SerializedHistogram). */
export type RollupRow = RollupKey & RollupCounters & { latencyHist: string };

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
}
