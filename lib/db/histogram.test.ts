import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyHistogram, RELATIVE_ACCURACY } from './histogram';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test('p50/p95/p99 stay within the stated relative accuracy for skewed latencies', () => {
  const random = seeded(7);
  const samples: number[] = [];
  const histogram = new LatencyHistogram();
  for (let i = 0; i < 50_000; i++) {
    // log-normal around 80 ms with a long tail, plus a slow mode at ~900 ms
    const normal = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
    const value = random() < 0.9 ? Math.exp(Math.log(80) + 0.6 * normal) : 900 + random() * 300;
    samples.push(value);
    histogram.record(value);
  }
  samples.sort((a, b) => a - b);
  for (const q of [0.5, 0.95, 0.99]) {
    const exact = exactQuantile(samples, q);
    const estimate = histogram.quantile(q)!;
    assert.ok(Math.abs(estimate - exact) / exact <= RELATIVE_ACCURACY + 1e-9, `q${q}: ${estimate} vs ${exact}`);
  }
});

test('histograms serialized from separate buckets merge into the same answer as one histogram', () => {
  const random = seeded(11);
  const whole = new LatencyHistogram();
  const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
  for (let i = 0; i < 9000; i++) {
    const value = 1 + random() * 2000;
    whole.record(value);
    parts[i % 3].record(value);
  }
  const merged = new LatencyHistogram();
  for (const part of parts) merged.merge(LatencyHistogram.parse(JSON.stringify(part)));
  assert.equal(merged.count, 9000);
  for (const q of [0.5, 0.9, 0.99]) assert.equal(merged.quantile(q), whole.quantile(q));
});

test('an empty histogram has no quantile, and zero latencies are counted', () => {
  const histogram = new LatencyHistogram();
  assert.equal(histogram.quantile(0.5), null);
  histogram.record(0);
  histogram.record(0);
  histogram.record(10);
  assert.equal(histogram.count, 3);
  assert.equal(histogram.quantile(0.5), 0);
  assert.ok(Math.abs(histogram.quantile(1)! - 10) / 10 <= RELATIVE_ACCURACY);
});
