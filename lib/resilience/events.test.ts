import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus, type ResilienceEvent } from './events.ts';

const transition: ResilienceEvent = {
  type: 'breaker.transition',
  integration: 'x',
  from: 'closed',
  to: 'open',
  reason: 'test',
  at: 1,
};

test('listeners receive the events of their type; wants() tells emitters whether to build one', () => {
  const bus = new EventBus();
  assert.equal(bus.wants('breaker.transition'), false);
  const seen: string[] = [];
  const off = bus.on('breaker.transition', (e) => seen.push(e.to));
  assert.equal(bus.wants('breaker.transition'), true);
  assert.equal(bus.wants('cache.hit'), false);
  bus.emit(transition);
  off();
  bus.emit(transition);
  assert.deepEqual(seen, ['open']);
  assert.equal(bus.wants('breaker.transition'), false);
});

test('a throwing listener does not stop the others or the emitter', () => {
  const bus = new EventBus();
  const seen: string[] = [];
  bus.onAny(() => {
    throw new Error('subscriber bug');
  });
  bus.onAny((e) => seen.push(e.type));
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  assert.doesNotThrow(() => bus.emit(transition));
  bus.emit(transition);
  assert.deepEqual(seen, ['breaker.transition', 'breaker.transition']);
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      process.off('warning', onWarning);
      assert.equal(warnings.length, 1, 'reported once');
      resolve();
    }),
  );
});
