import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bulkhead } from './bulkhead.ts';
import { FakeClock } from './clock.ts';
import { CallContext } from './context.ts';
import { type BulkheadRejectedError, CancelledError } from './errors.ts';
import { type PolicyInput, parsePolicy } from './options.ts';
import { policyEnv } from './policy.ts';

function setup(bulkhead: PolicyInput['bulkhead']) {
  const clock = new FakeClock();
  const gate = new Bulkhead(parsePolicy({ bulkhead }).bulkhead, policyEnv({ clock }));
  const releases: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  const call = (ctx = new CallContext()) =>
    gate.run(
      () =>
        new Promise<void>((resolve) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          releases.push(() => {
            running--;
            resolve();
          });
        }),
      ctx,
    );
  return { clock, gate, call, releases, maxRunning: () => maxRunning };
}

test('runs at most maxConcurrent calls and queues the rest in order', async () => {
  const { gate, call, releases, maxRunning } = setup({ maxConcurrent: 2, maxQueue: 10 });
  const calls = Array.from({ length: 5 }, () => call());
  await new Promise(setImmediate);
  assert.equal(gate.activeCount, 2);
  assert.equal(gate.queueLength, 3);
  while (releases.length > 0) {
    releases.shift()?.();
    await new Promise(setImmediate);
  }
  await Promise.all(calls);
  assert.equal(maxRunning(), 2);
  assert.equal(gate.activeCount, 0);
});

test('rejects at once when the queue is full', async () => {
  const { call } = setup({ maxConcurrent: 1, maxQueue: 1 });
  call();
  call();
  await assert.rejects(call(), (error: BulkheadRejectedError) => error.reason === 'queue_full');
});

test('rejects a queued call after the queue timeout', async () => {
  const { clock, call, gate } = setup({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 100 });
  call();
  const rejected = assert.rejects(call(), (error: BulkheadRejectedError) => error.reason === 'queue_timeout');
  await clock.advance(100);
  await rejected;
  assert.equal(gate.queueLength, 0);
});

test('a cancelled call leaves the queue', async () => {
  const { call, gate } = setup({ maxConcurrent: 1, maxQueue: 5 });
  call();
  const ctx = new CallContext();
  const queued = call(ctx);
  ctx.abort(new CancelledError());
  await assert.rejects(queued, CancelledError);
  assert.equal(gate.queueLength, 0);
});
