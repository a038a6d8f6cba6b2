import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorRateTone, healthOf } from './health';

test('an error rate is degraded from 1 % and failing from 5 %, the default alert rule', () => {
  assert.deepEqual(
    [null, 0, 0.0099, 0.01, 0.0499, 0.05, 1].map((rate) => errorRateTone(rate)),
    [undefined, undefined, undefined, 'warn', 'warn', 'bad', 'bad'],
  );
});

test('health: a tripped breaker fails whatever the traffic; no traffic is idle', () => {
  assert.equal(healthOf(null, true), 'bad');
  assert.equal(healthOf(0, true), 'bad');
  assert.equal(healthOf(null, false), 'idle');
  assert.equal(healthOf(0, false), 'ok');
  assert.equal(healthOf(0.02, false), 'warn');
  assert.equal(healthOf(0.05, false), 'bad');
});
