/**
 * The stored format of latency in rollups (lib/telemetry writes it, lib/queries reads it).
 *
 * A mergeable log-scale latency histogram (the DDSketch mapping, as in OTel's exponential histogram):
 * bucket i holds values in (γ^(i-1), γ^i], so any quantile read back is within RELATIVE_ACCURACY of a
 * real sample, and histograms from any number of buckets and instances add up exactly.
 */
export const RELATIVE_ACCURACY = 0.005;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (ms) share one bucket: sub-microsecond latencies are noise. */
const MIN_VALUE_MS = 0.001;

export interface SerializedHistogram {
  /** count of values <= MIN_VALUE_MS */
  z: number;
  /** bucket index -> count */
  b: Record<string, number>;
}

/**
 * The q-quantile (0..1) in ms of a histogram, or null when it is empty: the nearest-rank definition, read
 * as the midpoint of the bucket holding that rank, so it is within RELATIVE_ACCURACY of a real sample.
 * `indices` are the bucket indices in ascending order, `countAt` the count of one; both histogram classes
 * (this one and DenseHistogram) answer through it, so they always agree.
 */
export function histogramQuantile(
  q: number,
  count: number,
  zeros: number,
  indices: Iterable<number>,
  countAt: (index: number) => number,
): number | null {
  if (count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * count));
  if (rank <= zeros) return 0;
  let seen = zeros;
  let last = 0;
  for (const index of indices) {
    const n = countAt(index);
    if (n === 0) continue;
    last = index;
    seen += n;
    if (seen >= rank) break;
  }
  return (2 * GAMMA ** last) / (GAMMA + 1);
}

export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private zeros = 0;
  count = 0;

  record(valueMs: number): void {
    this.count++;
    if (!(valueMs > MIN_VALUE_MS)) {
      this.zeros++;
      return;
    }
    const index = Math.ceil(Math.log(valueMs) / LOG_GAMMA);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
  }

  merge(other: LatencyHistogram | SerializedHistogram): void {
    if (other instanceof LatencyHistogram) {
      this.zeros += other.zeros;
      this.count += other.count;
      for (const [index, n] of other.buckets) this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
      return;
    }
    this.zeros += other.z;
    this.count += other.z;
    for (const key in other.b) {
      const index = Number(key);
      const n = other.b[key];
      this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
      this.count += n;
    }
  }

  /** The q-quantile (0..1) in ms, or null when empty. */
  quantile(q: number): number | null {
    const indices = [...this.buckets.keys()].sort((a, b) => a - b);
    return histogramQuantile(q, this.count, this.zeros, indices, (index) => this.buckets.get(index)!);
  }

  toJSON(): SerializedHistogram {
    return { z: this.zeros, b: Object.fromEntries(this.buckets) };
  }

  static parse(text: string): LatencyHistogram {
    const histogram = new LatencyHistogram();
    histogram.merge(JSON.parse(text) as SerializedHistogram);
    return histogram;
  }
}
