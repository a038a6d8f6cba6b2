import { histogramQuantile, type SerializedHistogram } from './histogram';

/**
 * The stored latency histogram (lib/db/histogram.ts: bucket i holds (γ^(i-1), γ^i]) held as one array
 * over a contiguous index range, for reads that merge many of them: adding two is a loop over numbers
 * instead of a Map lookup per bucket. Quantiles are LatencyHistogram's (histogramQuantile).
 */
export class DenseHistogram {
  private offset = 0;
  private counts = new Float64Array(0);
  private zeros = 0;
  count = 0;

  addSerialized(s: SerializedHistogram): void {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const key in s.b) {
      const index = Number(key);
      if (index < lo) lo = index;
      if (index > hi) hi = index;
    }
    this.zeros += s.z;
    this.count += s.z;
    if (lo > hi) return;
    this.ensure(lo, hi);
    for (const key in s.b) {
      const n = s.b[key];
      this.counts[Number(key) - this.offset] += n;
      this.count += n;
    }
  }

  add(other: DenseHistogram): void {
    this.zeros += other.zeros;
    this.count += other.count;
    if (other.counts.length === 0) return;
    this.ensure(other.offset, other.offset + other.counts.length - 1);
    const shift = other.offset - this.offset;
    const from = other.counts;
    const into = this.counts;
    for (let i = 0; i < from.length; i++) into[i + shift] += from[i];
  }

  /** The q-quantile (0..1) in ms, or null when empty. */
  quantile(q: number): number | null {
    return histogramQuantile(q, this.count, this.zeros, this.indices(), (index) => this.counts[index - this.offset]);
  }

  private *indices(): Generator<number> {
    for (let i = 0; i < this.counts.length; i++) yield i + this.offset;
  }

  private ensure(lo: number, hi: number): void {
    if (this.counts.length === 0) {
      this.offset = lo;
      this.counts = new Float64Array(hi - lo + 1);
      return;
    }
    const end = this.offset + this.counts.length - 1;
    if (lo >= this.offset && hi <= end) return;
    const newLo = Math.min(lo, this.offset);
    const grown = new Float64Array(Math.max(hi, end) - newLo + 1);
    grown.set(this.counts, this.offset - newLo);
    this.offset = newLo;
    this.counts = grown;
  }
}
