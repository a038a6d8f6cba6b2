import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSilenced, type Silence, silenceActive } from './silences';

const DAY = 86_400_000;
const start = new Date('2026-11-23T02:00:00Z'); // a Monday, 02:00 UTC
const base: Silence = {
  ruleId: null,
  integration: null,
  matchers: [],
  startsAt: start,
  endsAt: new Date(start.getTime() + 2 * 3_600_000),
  recurrence: 'none',
};
const target = { ruleId: 'r1', integration: 'payments', labels: { alertname: 'High error rate', team: 'billing' } };

test('a one-off silence covers [startsAt, endsAt) only', () => {
  assert.equal(silenceActive(base, start.getTime() - 1), false);
  assert.equal(silenceActive(base, start.getTime()), true);
  assert.equal(silenceActive(base, start.getTime() + 2 * 3_600_000), false);
  assert.equal(silenceActive(base, start.getTime() + 7 * DAY), false);
});

test('a weekly maintenance window repeats every seven days', () => {
  const weekly = { ...base, recurrence: 'weekly' as const };
  assert.equal(silenceActive(weekly, start.getTime() + 7 * DAY + 3_600_000), true);
  assert.equal(silenceActive(weekly, start.getTime() + 14 * DAY + 1), true);
  assert.equal(silenceActive(weekly, start.getTime() + 7 * DAY + 3 * 3_600_000), false);
  assert.equal(silenceActive(weekly, start.getTime() + 3 * DAY), false);
});

test('matchers: rule, integration and labels must all match', () => {
  const at = start.getTime() + 1;
  assert.equal(isSilenced([{ ...base, ruleId: 'r1' }], target, at), true);
  assert.equal(isSilenced([{ ...base, ruleId: 'r2' }], target, at), false);
  assert.equal(isSilenced([{ ...base, integration: 'payments' }], target, at), true);
  assert.equal(isSilenced([{ ...base, integration: 'email' }], target, at), false);
  assert.equal(isSilenced([{ ...base, matchers: [{ name: 'team', value: 'billing' }] }], target, at), true);
  assert.equal(
    isSilenced([{ ...base, integration: 'payments', matchers: [{ name: 'team', value: 'search' }] }], target, at),
    false,
  );
  assert.equal(isSilenced([{ ...base, ruleId: 'r1' }], target, start.getTime() - 1), false);
});
