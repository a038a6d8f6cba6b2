import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeTemplate, UnsafePathError, upstreamPath } from './paths';

test('segments are joined under the base path and the query is kept', () => {
  assert.equal(
    upstreamPath('http://127.0.0.1:4010/payments/', ['v1', 'charges'], '?limit=2'),
    '/payments/v1/charges?limit=2',
  );
  assert.equal(upstreamPath('https://api.example.com', ['users', 'a b'], ''), '/users/a%20b');
});

test('traversal, encoded separators and absolute URLs are refused', () => {
  for (const segments of [
    ['..', 'etc'],
    ['v1', '.', 'x'],
    ['a/b'],
    ['a\\b'],
    ['http:', '', 'evil.com'],
    ['file:'],
    ['x', ''],
    ['a\u0000'],
  ]) {
    assert.throws(
      () => upstreamPath('http://127.0.0.1:4010/base', segments),
      UnsafePathError,
      JSON.stringify(segments),
    );
  }
});

test('route templates replace ids so metrics group by route', () => {
  assert.equal(routeTemplate(['v1', 'charges', '12345']), '/v1/charges/:id');
  assert.equal(routeTemplate(['users', '3f2b8c1e-8a4d-4e2f-9c1d-2b3a4c5d6e7f', 'orders']), '/users/:id/orders');
  assert.equal(routeTemplate(['v1', 'charges', 'ch_3Nf8abc']), '/v1/charges/:id');
  assert.equal(routeTemplate(['v3', 'mail', 'send']), '/v3/mail/send');
});
