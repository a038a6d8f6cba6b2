import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from './clock.ts';
import { CallContext } from './context.ts';
import { RateLimitedError } from './errors.ts';
import { EventBus, type EventOf } from './events.ts';
import { type PolicyInput, parsePolicy } from './options.ts';
import { policyEnv } from './policy.ts';
import { MemoryRateLimitStore, RateLimiter } from './rate-limit.ts';
import { parseAnnouncedLimit } from './retry-after.ts';

function setup(rateLimit: PolicyInput['rateLimit'] = {}) {
  const clock = new FakeClock();
  const events = new EventBus();
  const waits: EventOf<'ratelimit.wait'>[] = [];
  events.on('ratelimit.wait', (e) => waits.push(e));
  const limiter = new RateLimiter(
    parsePolicy({ rateLimit }).rateLimit,
    policyEnv({ clock, events, name: 'crm' }),
    new MemoryRateLimitStore(),
  );
  const call = (callerKey?: string, answer = { status: 200, headers: {} as Record<string, string> }) => {
    const ctx = new CallContext();
    ctx.callerKey = callerKey;
    return limiter.run(async () => answer, ctx).then(() => ctx);
  };
  return { clock, limiter, call, waits };
}

test('allows a burst, then rejects with the time until the next token', async () => {
  const { call } = setup({ perMinute: 60, burst: 3 });
  await call();
  await call();
  await call();
  await assert.rejects(call(), (error: RateLimitedError) => {
    assert.ok(error instanceof RateLimitedError);
    assert.equal(Math.round(error.retryAfterMs ?? 0), 1000);
    return true;
  });
});

test('tokens come back at the configured rate', async () => {
  const { clock, call } = setup({ perMinute: 60, burst: 1 });
  await call();
  await assert.rejects(call(), RateLimitedError);
  await clock.advance(1000);
  await call();
});

test('with maxWaitMs a call waits for its token instead of failing', async () => {
  const { clock, call, waits } = setup({ perMinute: 60, burst: 1, maxWaitMs: 2000 });
  await call();
  let done = false;
  const waiting = call().then((ctx) => {
    done = true;
    return ctx;
  });
  await clock.advance(999);
  assert.equal(done, false);
  await clock.advance(1);
  const ctx = await waiting;
  assert.equal(ctx.rateLimited, true);
  assert.equal(Math.round(ctx.rateLimitWaitMs), 1000);
  assert.equal(waits.length, 1);
});

test('each caller key has its own bucket, inside the integration bucket', async () => {
  const { call } = setup({ perMinute: 60, burst: 2 });
  await call('alice');
  await call('alice');
  await assert.rejects(call('alice'), (error: RateLimitedError) => error.key === 'crm:caller:alice');
  await assert.rejects(call('bob'), (error: RateLimitedError) => error.key === 'crm', 'integration bucket is spent');
});

test('a refused caller does not spend the integration bucket, and vice versa', async () => {
  const { call } = setup({ perMinute: 60, burst: 2 });
  await call('alice');
  await call('alice');
  await assert.rejects(call('alice'));
  await assert.rejects(call('alice'));
  await assert.rejects(call('bob'));
});

test('learns from X-RateLimit-Remaining/Reset and slows down before the upstream refuses', async () => {
  const { clock, call } = setup({ perMinute: 6000, burst: 100 });
  await call(undefined, { status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '5' } });
  await assert.rejects(call(), (error: RateLimitedError) => Math.round(error.retryAfterMs ?? 0) === 5000);
  await clock.advance(5000);
  await call();
});

test('a 429 with Retry-After blocks the integration bucket for that long', async () => {
  const { clock, call } = setup({ perMinute: 6000, burst: 100 });
  await call(undefined, { status: 429, headers: { 'retry-after': '2' } });
  await assert.rejects(call(), RateLimitedError);
  await clock.advance(2000);
  await call();
});

test('headers of an answer served from the cache teach nothing', async () => {
  const { call, limiter } = setup({ perMinute: 6000, burst: 100 });
  const ctx = new CallContext();
  ctx.cache = 'hit';
  await limiter.run(
    async () => ({ status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '60' } }),
    ctx,
  );
  await call();
});

test('learning can be switched off', async () => {
  const { call } = setup({ perMinute: 6000, burst: 100, learnFromUpstream: false });
  await call(undefined, { status: 429, headers: { 'retry-after': '2' } });
  await call();
});

test('the announced limit is read per minute from RateLimit-Policy, RateLimit-Limit or X-RateLimit-Limit', () => {
  assert.equal(parseAnnouncedLimit({ 'x-ratelimit-limit': '100' }), 100, 'no window said: a minute');
  assert.equal(parseAnnouncedLimit({ 'ratelimit-limit': '100, 100;w=60' }), 100);
  assert.equal(parseAnnouncedLimit({ 'ratelimit-policy': '10;w=1' }), 600, 'per second scales up to the minute');
  // A longer window may be spent within one minute; of several policies the tightest minute counts.
  assert.equal(parseAnnouncedLimit({ 'ratelimit-policy': '"burst";q=50;w=10, "day";q=200;w=86400' }), 200);
  assert.equal(parseAnnouncedLimit({ 'ratelimit-policy': '"burst";q=5;w=10, "day";q=200;w=86400' }), 30);
  assert.equal(parseAnnouncedLimit({ 'x-ratelimit-limit': '0', 'retry-after': '3' }), undefined);
  assert.equal(parseAnnouncedLimit({ 'x-ratelimit-remaining': '4' }), undefined);
});
