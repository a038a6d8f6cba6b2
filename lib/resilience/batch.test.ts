import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBatch } from './batch.ts';

test('returns one result per item in input order, respecting the concurrency limit', async () => {
  let running = 0;
  let maxRunning = 0;
  const results = await runBatch(
    [5, 1, 4, 2, 3],
    async (n) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running--;
      return n * 10;
    },
    { concurrency: 2 },
  );
  assert.deepEqual(
    results.map((r) => (r.ok ? r.value : undefined)),
    [50, 10, 40, 20, 30],
  );
  assert.equal(maxRunning, 2);
});

test('continues past failures by default and reports each one', async () => {
  const results = await runBatch([1, 2, 3], async (n) => {
    if (n === 2) throw new Error('two');
    return n;
  });
  assert.deepEqual(
    results.map((r) => r.ok),
    [true, false, true],
  );
  assert.equal(results[1].ok === false && (results[1].error as Error).message, 'two');
});

test('with continueOnError false, items after the first failure are skipped', async () => {
  const started: number[] = [];
  const results = await runBatch(
    [1, 2, 3, 4],
    async (n) => {
      started.push(n);
      if (n === 2) throw new Error('two');
      return n;
    },
    { concurrency: 1, continueOnError: false },
  );
  assert.deepEqual(started, [1, 2]);
  assert.deepEqual(
    results.map((r) => (r.ok ? 'ok' : r.skipped ? 'skipped' : 'failed')),
    ['ok', 'failed', 'skipped', 'skipped'],
  );
});

test('batches run one after another', async () => {
  const order: string[] = [];
  await runBatch(
    [1, 2, 3, 4],
    async (n) => {
      order.push(`start ${n}`);
      await new Promise((resolve) => setTimeout(resolve, 5 - n));
      order.push(`end ${n}`);
    },
    { concurrency: 2, batchSize: 2 },
  );
  assert.ok(order.indexOf('start 3') > order.indexOf('end 1'));
  assert.ok(order.indexOf('start 3') > order.indexOf('end 2'));
});
