import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricChoices } from './metrics';
import { ruleSchema } from './schema';

test('the rule form offers metrics a rule accepts, each labelled with its unit', () => {
  const choices = new Map(metricChoices());
  const valid = { name: 'r', threshold: 1, window: '5m' };
  for (const [metric] of choices) assert.ok(ruleSchema.safeParse({ ...valid, metric }).success, metric);
  assert.equal(ruleSchema.safeParse({ ...valid, metric: 'latency_p42' }).success, false);
  assert.equal(choices.get('latency_p95'), 'Latency p95 (ms)');
  assert.equal(choices.get('error_rate'), 'Error rate (%)');
  assert.equal(choices.get('request_rate'), 'Request rate (/s)');
  assert.equal(choices.get('breaker_open'), 'Breaker open (1 = open)');
  assert.equal(choices.get('dead_letter_oldest_age'), 'Oldest dead letter age (s)');
  assert.equal(choices.get('retries_per_call'), 'Retries per call');
});
