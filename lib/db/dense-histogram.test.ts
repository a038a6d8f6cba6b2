import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DenseHistogram } from './dense-histogram';
import { LatencyHistogram } from './histogram';

test('merging stored histograms densely gives the same quantiles as LatencyHistogram', () => {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const reference = new LatencyHistogram();
  const total = new DenseHistogram();
  for (let part = 0; part < 30; part++) {
    const stored = new LatencyHistogram();
    // parts over very different ranges, so the dense array grows at both ends
    const scale = 10 ** ((part % 5) - 1);
    for (let i = 0; i < 500; i++) stored.record(part % 7 === 0 && i < 5 ? 0 : scale * (1 + 100 * rand()));
    const dense = new DenseHistogram();
    dense.addSerialized(JSON.parse(JSON.stringify(stored)));
    total.add(dense);
    reference.merge(stored);
  }
  assert.equal(total.count, reference.count);
  for (const q of [0, 0.001, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1])
    assert.equal(total.quantile(q), reference.quantile(q));
  assert.equal(new DenseHistogram().quantile(0.5), null);
});
