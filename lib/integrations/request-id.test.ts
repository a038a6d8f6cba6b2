import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adoptRequestId, gatewayRequestId } from './request-id';

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

test('a well-formed caller request id is adopted; anything else gets a new UUID', () => {
  for (const id of ['a', 'req-123', 'svc.orders:42_retry-1', 'x'.repeat(128), '0af7651916cd43dd'])
    assert.equal(gatewayRequestId(id, {}), id);
  for (const id of [undefined, '', 'x'.repeat(129), 'has space', 'semi;colon', 'a/b', 'quote"', 'ünicode', 'a\r\nb'])
    assert.match(gatewayRequestId(id, {}), UUID, String(id));
});

test('BREAKWATER_TRUST_REQUEST_ID=false ignores the caller request id; true and unset adopt it', () => {
  assert.match(gatewayRequestId('req-123', { BREAKWATER_TRUST_REQUEST_ID: 'false' }), UUID);
  assert.equal(gatewayRequestId('req-123', { BREAKWATER_TRUST_REQUEST_ID: 'true' }), 'req-123');
  assert.equal(gatewayRequestId('req-123', {}), 'req-123');
  assert.throws(() => gatewayRequestId('req-123', { BREAKWATER_TRUST_REQUEST_ID: 'no' }), /must be true or false/);
});

test('adoptRequestId says whether the id is the caller’s own', () => {
  assert.deepEqual(adoptRequestId('req-123', {}), { requestId: 'req-123', adopted: true });
  const refused = adoptRequestId('has space', {});
  assert.equal(refused.adopted, false);
  assert.match(refused.requestId, UUID);
  const untrusted = adoptRequestId('req-123', { BREAKWATER_TRUST_REQUEST_ID: 'false' });
  assert.equal(untrusted.adopted, false);
  assert.match(untrusted.requestId, UUID);
  assert.equal(adoptRequestId(undefined, {}).adopted, false);
});
