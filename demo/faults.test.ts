import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryAfterSeconds, sampleLatencyMs, seededRandom } from './faults.ts';

function samples(draw: () => number, count: number): number[] {
  return Array.from({ length: count }, draw).sort((a, b) => a - b);
}

test('the same seed gives the same sequence', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const c = seededRandom(8);
  const first = [a(), a(), a()];
  assert.deepEqual(first, [b(), b(), b()]);
  assert.notDeepEqual(first, [c(), c(), c()]);
  for (const value of first) assert.ok(value >= 0 && value < 1);
});

test('lognormal latency matches its median and p99', () => {
  const random = seededRandom(1);
  const sorted = samples(() => sampleLatencyMs({ kind: 'lognormal', median: 80, p99: 900 }, random), 50_000);
  const median = sorted[Math.floor(sorted.length * 0.5)];
  const p99 = sorted[Math.floor(sorted.length * 0.99)];
  assert.ok(Math.abs(median - 80) / 80 < 0.05, `median ${median}`);
  assert.ok(Math.abs(p99 - 900) / 900 < 0.1, `p99 ${p99}`);
});

test('uniform latency stays within its bounds and fixed latency is fixed', () => {
  const random = seededRandom(1);
  const sorted = samples(() => sampleLatencyMs({ kind: 'uniform', min: 20, max: 40 }, random), 10_000);
  assert.ok(sorted[0] >= 20 && sorted[sorted.length - 1] <= 40);
  assert.equal(sampleLatencyMs({ kind: 'fixed', ms: 15 }, random), 15);
});

test('Retry-After as seconds or HTTP-date becomes seconds', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterSeconds(30, now), 30);
  assert.equal(retryAfterSeconds('Thu, 01 Jan 2026 00:01:00 GMT', now), 60);
  assert.equal(retryAfterSeconds('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
});
