import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from './throttle';

/** The keys the throttle's counters hold; rate-limiter-flexible's memory store keeps them in one Map each. */
function heldKeys(throttle: LoginThrottle): number {
  let keys = 0;
  const visit = (value: unknown, depth: number) => {
    if (depth > 3 || value === null || typeof value !== 'object') return;
    const storage = (value as { _memoryStorage?: { _storage?: Map<string, unknown> } })._memoryStorage?._storage;
    if (storage instanceof Map) {
      keys += storage.size;
      return;
    }
    for (const field of Object.values(value)) visit(field, depth + 1);
  };
  visit(throttle, 0);
  return keys;
}

test('made-up names cost the throttle no memory: what it holds grows with addresses, not guesses', async () => {
  const throttle = new LoginThrottle();
  let refused = 0;
  for (let i = 0; i < 5000; i++) {
    const decision = await throttle.admit('203.0.113.9', `guess-${i}`, false);
    if (!decision.go) {
      refused++;
      continue;
    }
    await throttle.failed('203.0.113.9', `guess-${i}`, false);
  }
  assert.ok(refused > 4900, 'the address is blocked after its 20 free failures');
  // One address: its failure counter and its escalation counter.
  assert.equal(heldKeys(throttle), 2);
  for (let i = 0; i < 1000; i++) {
    await throttle.admit(`198.51.100.${i % 250}`, `name-${i}`, false);
    await throttle.failed(`198.51.100.${i % 250}`, `name-${i}`, false);
  }
  assert.equal(heldKeys(throttle), 2 + 250);
});

test('a stranger guessing a real name only slows it down; the owner signing in elsewhere is never refused', async () => {
  const throttle = new LoginThrottle();
  for (let i = 0; i < 400; i++) {
    const address = `198.51.100.${i % 200}`;
    const decision = await throttle.admit(address, 'admin', true);
    if (decision.go) await throttle.failed(address, 'admin', true);
  }
  const owner = await throttle.admit('192.0.2.1', 'admin', true);
  assert.equal(owner.go, true);
  assert.ok(owner.go && owner.delayMs > 0 && owner.delayMs <= 500, 'slowed, within the bound');
  const stranger = await throttle.admit('198.51.100.1', 'admin', true);
  assert.equal(stranger.go, true, 'two failures from one address are still under the pair limit');
});
