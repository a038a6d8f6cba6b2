/**
 * Envoy-style retry budget: over a sliding window, retries may be at most `ratio` of calls, but never
 * fewer than `minRetriesPerSec` per second, so a quiet integration can still retry while an outage under
 * load cannot multiply traffic. Counts live in one-second buckets to keep recording O(1).
 */
export class RetryBudget {
  private calls: Float64Array;
  private retries: Float64Array;
  private bucketStart: Float64Array;

  constructor(private options: { ratio: number; minRetriesPerSec: number; windowMs: number }) {
    const buckets = Math.max(1, Math.ceil(options.windowMs / 1000));
    this.calls = new Float64Array(buckets);
    this.retries = new Float64Array(buckets);
    this.bucketStart = new Float64Array(buckets).fill(-1);
  }

  configure(options: { ratio: number; minRetriesPerSec: number; windowMs: number }): void {
    if (Math.ceil(options.windowMs / 1000) !== this.calls.length) {
      const buckets = Math.max(1, Math.ceil(options.windowMs / 1000));
      this.calls = new Float64Array(buckets);
      this.retries = new Float64Array(buckets);
      this.bucketStart = new Float64Array(buckets).fill(-1);
    }
    this.options = options;
  }

  recordCall(now: number): void {
    this.calls[this.bucket(now)]++;
  }

  /** Takes one retry from the budget if there is room. */
  tryAcquire(now: number): boolean {
    const index = this.bucket(now);
    let calls = 0;
    let retries = 0;
    const oldest = Math.floor(now / 1000) - this.calls.length;
    for (let i = 0; i < this.calls.length; i++) {
      if (this.bucketStart[i] > oldest) {
        calls += this.calls[i];
        retries += this.retries[i];
      }
    }
    const allowed = Math.max(
      calls * this.options.ratio,
      (this.options.minRetriesPerSec * this.options.windowMs) / 1000,
    );
    if (retries + 1 > allowed) return false;
    this.retries[index]++;
    return true;
  }

  private bucket(now: number): number {
    const second = Math.floor(now / 1000);
    const index = second % this.calls.length;
    if (this.bucketStart[index] !== second) {
      this.bucketStart[index] = second;
      this.calls[index] = 0;
      this.retries[index] = 0;
    }
    return index;
  }
}
