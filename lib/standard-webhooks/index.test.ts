import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { signWebhook, verifyWebhook, webhookHeaders } from '.';

// The test vector published with the Standard Webhooks reference libraries (svix's test suites).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

const headersOf = (h: Record<string, string>) => ({
  id: h['webhook-id'],
  timestamp: h['webhook-timestamp'],
  signature: h['webhook-signature'],
});

test('signs the known vector of the spec', () => {
  assert.equal(signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body), VECTOR.signature);
  const headers = { id: VECTOR.id, timestamp: String(VECTOR.timestamp), signature: VECTOR.signature };
  assert.equal(verifyWebhook(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp), true);
});

test('accepts any of several space-separated signatures (secret rotation)', () => {
  const headers = {
    id: VECTOR.id,
    timestamp: String(VECTOR.timestamp),
    signature: `v1,bm90LXRoaXMtb25l ${VECTOR.signature}`,
  };
  assert.equal(verifyWebhook(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp), true);
});

test('a tampered body, a wrong secret, a stale or future timestamp and a missing header fail', () => {
  const secret = newSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  const now = 1_764_000_000;
  const body = '{"type":"alert.firing"}';
  const headers = headersOf(webhookHeaders(secret, 'msg_1', now, body));
  assert.equal(verifyWebhook(secret, headers, body, now), true);
  assert.equal(verifyWebhook(secret, headers, '{"type":"alert.resolved"}', now), false);
  assert.equal(verifyWebhook(newSecret(), headers, body, now), false);
  assert.equal(verifyWebhook(secret, headers, body, now + 301), false);
  assert.equal(verifyWebhook(secret, headers, body, now - 301), false);
  assert.equal(verifyWebhook(secret, { ...headers, id: 'msg_2' }, body, now), false);
  assert.equal(
    verifyWebhook(secret, { ...headers, signature: headers.signature.replace('v1,', 'v2,') }, body, now),
    false,
  );
  assert.equal(verifyWebhook(secret, { ...headers, timestamp: undefined }, body, now), false);
});
