import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthenticationError,
  ConflictError,
  errorForResponse,
  NotFoundError,
  UpstreamError,
  UpstreamRateLimitedError,
  ValidationError,
} from './errors.ts';

test('errorForResponse classifies statuses the way callers handle them', () => {
  const of = (status: number) => errorForResponse({ status, body: Buffer.from('detail'), requestId: 'r1' });
  assert.equal(of(200), undefined);
  assert.equal(of(304), undefined);
  assert.ok(of(400) instanceof ValidationError);
  assert.ok(of(422) instanceof ValidationError);
  assert.ok(of(401) instanceof AuthenticationError);
  assert.ok(of(403) instanceof AuthenticationError);
  assert.ok(of(404) instanceof NotFoundError);
  assert.ok(of(409) instanceof ConflictError);
  assert.ok(of(429) instanceof UpstreamRateLimitedError);
  assert.ok(of(503) instanceof UpstreamError);
  const error = of(502);
  assert.equal(error?.status, 502);
  assert.equal(error?.requestId, 'r1');
  assert.equal(error?.body.toString(), 'detail');
  assert.equal(error?.errorType, 'upstream');
});

test('a 429 carries the Retry-After the upstream sent', () => {
  const error = errorForResponse({ status: 429, body: Buffer.alloc(0), headers: { 'retry-after': '7' } });
  assert.equal(error?.retryAfterMs, 7000);
});
