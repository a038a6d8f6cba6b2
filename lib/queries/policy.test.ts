import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPolicy } from '@/lib/resilience';
import { rateLimitPerMinute } from './policy';

test('the rate limit is read from the stored policy', () => {
  assert.equal(rateLimitPerMinute('{"rateLimit":{"perMinute":30,"burst":45}}'), 30);
});

test('a policy without a rate limit gets the default the client enforces', () => {
  assert.equal(rateLimitPerMinute('{}'), defaultPolicy.rateLimit.perMinute);
  assert.equal(rateLimitPerMinute('{"rateLimit":{"burst":10}}'), defaultPolicy.rateLimit.perMinute);
});

test('a disabled or unreadable rate limit is none', () => {
  assert.equal(rateLimitPerMinute('{"rateLimit":{"enabled":false,"perMinute":30}}'), null);
  assert.equal(rateLimitPerMinute('{"rateLimit":{"perMinute":-1}}'), null);
  assert.equal(rateLimitPerMinute('not json'), null);
});
