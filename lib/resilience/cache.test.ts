import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globToRegExp, MemoryCacheStore, ResponseCache } from './cache.ts';
import { FakeClock } from './clock.ts';
import { CallContext } from './context.ts';
import { NetworkError } from './errors.ts';
import { type PolicyInput, parsePolicy } from './options.ts';
import { policyEnv } from './policy.ts';

type Answer = { status: number; headers: Record<string, string>; body: Buffer };

function setup(cache: PolicyInput['cache'] = {}) {
  const clock = new FakeClock();
  const store = new MemoryCacheStore(parsePolicy({ cache }).cache.maxEntries);
  const responseCache = new ResponseCache(parsePolicy({ cache }).cache, policyEnv({ clock }), store);
  let upstreamCalls = 0;
  let next: () => Promise<Answer> = async () => ({
    status: 200,
    headers: {},
    body: Buffer.from(`body ${upstreamCalls}`),
  });
  const get = async (key = 'GET /users/1') => {
    const ctx = new CallContext();
    ctx.cacheKey = key;
    const answer = await responseCache.run(() => {
      upstreamCalls++;
      return next();
    }, ctx);
    return { answer, cache: ctx.cache };
  };
  return {
    clock,
    store,
    responseCache,
    get,
    upstreamCalls: () => upstreamCalls,
    answerWith: (fn: () => Promise<Answer>) => {
      next = fn;
    },
  };
}

test('a second identical GET is served from the cache until the TTL ends', async () => {
  const { clock, get, upstreamCalls } = setup({ ttlMs: 1000 });
  assert.equal((await get()).cache, 'miss');
  const second = await get();
  assert.equal(second.cache, 'hit');
  assert.equal(second.answer.body.toString(), 'body 1');
  assert.equal(upstreamCalls(), 1);
  await clock.advance(1000);
  assert.equal((await get()).cache, 'miss');
  assert.equal(upstreamCalls(), 2);
});

test('Cache-Control no-store and error answers are not stored; max-age shortens the TTL', async () => {
  const { clock, get, upstreamCalls, answerWith } = setup({ ttlMs: 60_000 });
  answerWith(async () => ({ status: 200, headers: { 'cache-control': 'no-store' }, body: Buffer.from('x') }));
  await get('a');
  await get('a');
  assert.equal(upstreamCalls(), 2);
  answerWith(async () => ({ status: 500, headers: {}, body: Buffer.from('x') }));
  await get('b');
  await get('b');
  assert.equal(upstreamCalls(), 4);
  answerWith(async () => ({ status: 200, headers: { 'cache-control': 'max-age=2' }, body: Buffer.from('x') }));
  await get('c');
  await clock.advance(1999);
  assert.equal((await get('c')).cache, 'hit');
  await clock.advance(1);
  assert.equal((await get('c')).cache, 'miss');
});

test('the least recently used entry is evicted beyond maxEntries', async () => {
  const { get, store } = setup({ maxEntries: 2 });
  await get('a');
  await get('b');
  await get('a');
  await get('c');
  assert.equal(store.size, 2);
  assert.equal((await get('a')).cache, 'hit');
  assert.equal((await get('b')).cache, 'miss');
});

test('concurrent identical misses reach the upstream once', async () => {
  const { get, upstreamCalls, answerWith } = setup();
  let release: () => void = () => {};
  answerWith(
    () =>
      new Promise((resolve) => {
        release = () => resolve({ status: 200, headers: {}, body: Buffer.from('shared') });
      }),
  );
  const calls = Array.from({ length: 10 }, () => get());
  await new Promise(setImmediate);
  release();
  const results = await Promise.all(calls);
  assert.equal(upstreamCalls(), 1);
  assert.ok(results.every((r) => r.answer.body.toString() === 'shared'));
  assert.equal(results.filter((r) => r.cache === 'miss').length, 1);
});

test('stale-if-error serves the expired body when the upstream fails, within the stale window', async () => {
  const { clock, get, answerWith } = setup({ ttlMs: 1000, staleIfErrorMs: 5000 });
  answerWith(async () => ({ status: 200, headers: {}, body: Buffer.from('good') }));
  await get();
  await clock.advance(2000);
  answerWith(async () => ({ status: 503, headers: {}, body: Buffer.from('down') }));
  const stale = await get();
  assert.equal(stale.cache, 'stale');
  assert.equal(stale.answer.body.toString(), 'good');
  answerWith(() => Promise.reject(new NetworkError('refused', new Error('ECONNREFUSED'))));
  assert.equal((await get()).answer.body.toString(), 'good');
  await clock.advance(5000);
  await assert.rejects(get(), NetworkError);
});

test('invalidation by key pattern', async () => {
  const { responseCache, get } = setup();
  await get('GET http://api/users/1');
  await get('GET http://api/users/2');
  await get('GET http://api/orders/1');
  assert.equal(await responseCache.invalidate('GET http://api/users/*'), 2);
  assert.equal((await get('GET http://api/orders/1')).cache, 'hit');
  assert.equal((await get('GET http://api/users/1')).cache, 'miss');
});

test('applies only to configured methods, honours request no-store and never-cache routes', () => {
  const { responseCache } = setup({ neverCacheRoutes: ['/payments/**', '/users/*/token'] });
  assert.equal(responseCache.appliesTo('GET', '/users/:id', undefined), true);
  assert.equal(responseCache.appliesTo('POST', '/users/:id', undefined), false);
  assert.equal(responseCache.appliesTo('GET', '/users/:id', 'no-store'), false);
  assert.equal(responseCache.appliesTo('GET', '/payments/1/refunds', undefined), false);
  assert.equal(responseCache.appliesTo('GET', '/users/7/token', undefined), false);
});

test('glob patterns: * stays within a segment, ** crosses segments', () => {
  assert.equal(globToRegExp('/a/*').test('/a/b'), true);
  assert.equal(globToRegExp('/a/*').test('/a/b/c'), false);
  assert.equal(globToRegExp('/a/**').test('/a/b/c'), true);
  assert.equal(globToRegExp('/a.b').test('/axb'), false);
});
