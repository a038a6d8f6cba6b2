import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as DestinationModule from '@/lib/resilience/destination';
import type * as ErrorsModule from '@/lib/resilience/errors';
import { SecretNotSetError } from '@/lib/secrets';
import { secondCopy } from '@/test/support/second-copy';
import { UnsafePathError } from './paths';
import { gatewayErrorAnswer } from './responses';

async function answer(error: unknown) {
  const { status, headers, body } = gatewayErrorAnswer(error, 'req-1');
  return { status, headers: new Headers(headers), body };
}

test('resilience errors from another copy of lib/resilience, as another Next bundle holds, map by errorType', async () => {
  // The classes the app's route sees come from its own bundle; these from a second copy, so no instanceof
  // against lib/resilience's exports could match them.
  const errors = await secondCopy<typeof ErrorsModule>('lib/resilience/errors.ts');
  const destination = await secondCopy<typeof DestinationModule>('lib/resilience/destination.ts');
  const { TimeoutError } = await import('@/lib/resilience');
  assert.equal(new errors.TimeoutError('attempt', 10) instanceof TimeoutError, false);
  const cases: [unknown, number, string | undefined][] = [
    [new errors.TimeoutError('attempt', 100), 504, undefined],
    [new errors.TimeoutError('overall', 1000), 504, undefined],
    [new errors.CircuitOpenError(2500, false), 503, undefined],
    [new errors.BulkheadRejectedError('queue_full'), 503, undefined],
    [new errors.RateLimitedError(1200, 'token'), 429, undefined],
    [new destination.DestinationRefusedError('10.0.0.1', 'private'), 403, 'baseUrl'],
    [new errors.NetworkError('refused', new Error('ECONNREFUSED')), 502, undefined],
    [new errors.NetworkError('dns', new Error('ENOTFOUND')), 502, undefined],
  ];
  for (const [error, status, field] of cases) {
    const { status: answered, body, headers } = await answer(error);
    const { errorType, message } = error as { errorType: string; message: string };
    assert.equal(answered, status, errorType);
    assert.deepEqual(body, field ? { error: message, field } : { error: message }, errorType);
    assert.equal(headers.get('x-request-id'), 'req-1');
  }
  const cancelled = await answer(new errors.CancelledError());
  assert.equal(cancelled.status, 499);
  assert.equal(cancelled.body.error, 'the caller closed the request');
  const bodyFailed = await answer(new errors.RequestBodyError(new Error('the caller went away')));
  assert.equal(bodyFailed.status, 400);
  assert.deepEqual(bodyFailed.body, { error: 'the request body could not be read to its end', field: '(body)' });
});

test('a wait the caller should honour is passed on as Retry-After, in whole seconds', async () => {
  const errors = await secondCopy<typeof ErrorsModule>('lib/resilience/errors.ts');
  assert.equal((await answer(new errors.RateLimitedError(1200, 'token'))).headers.get('retry-after'), '2');
  assert.equal((await answer(new errors.CircuitOpenError(2500, false))).headers.get('retry-after'), '3');
});

test('domain errors keep their own status and field; anything else is a 500 naming the request id', async () => {
  const unsafe = await answer(new UnsafePathError('path segment ".." is not allowed'));
  assert.equal(unsafe.status, 400);
  assert.deepEqual(unsafe.body, { error: 'path segment ".." is not allowed', field: 'path' });
  assert.equal(unsafe.headers.get('x-request-id'), 'req-1');
  const secret = await answer(new SecretNotSetError('BREAKWATER_SECRET_PAY'));
  assert.equal(secret.status, 503);
  assert.equal(secret.body.field, 'secretEnv');
  for (const unknown of [new Error('boom'), { errorType: 'made_up', message: 'boom' }, 'boom']) {
    const { status, body } = await answer(unknown);
    assert.equal(status, 500);
    assert.equal(body.error, 'internal error (request id req-1)');
  }
});
