import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existingSingleton, processSingleton } from './singleton';

test('one value per key for the process, created on first use only', () => {
  let made = 0;
  const create = () => ({ made: ++made });
  assert.equal(existingSingleton('singleton-test'), undefined, 'nothing is created by looking');
  const first = processSingleton('singleton-test', create);
  assert.equal(processSingleton('singleton-test', create), first);
  assert.equal(existingSingleton('singleton-test'), first);
  assert.equal(made, 1);
  assert.notEqual(processSingleton('singleton-test-other', create), first);
});

test('it lives on globalThis, so a second copy of the module (another bundle) sees the same values', async () => {
  const value = processSingleton('singleton-test-bundles', () => ({}));
  // a query string makes the loader evaluate the file again, as a second bundle would
  const copy = (await import(`./singleton.ts?copy=${Date.now()}`)) as typeof import('./singleton');
  assert.notEqual(copy.processSingleton, processSingleton, 'a second evaluation of the module');
  assert.equal(
    copy.processSingleton('singleton-test-bundles', () => ({ other: true })),
    value,
  );
});
