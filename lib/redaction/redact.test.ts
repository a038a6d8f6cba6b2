import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSensitiveName, REDACTED, redactBody, redactHeaders, redactText, secretEncodings } from './redact';

const SECRET = 'sk_live/Zq+9"x\\y w=';

test('credential and card names are sensitive, whatever their spelling; ordinary names are not', () => {
  for (const name of [
    'Authorization',
    'x-stripe-secret',
    'private-token',
    'x-goog-api-key',
    'X-Api-Key',
    'api_key',
    'access_token',
    'token',
    'key',
    'sig',
    'signature',
    'password',
    'card_number',
    'cardNumber',
    'cvc',
    'iban',
    'ssn',
    'session',
    'set-cookie',
    'webhook-signature',
    'x-hub-signature-256',
  ])
    assert.ok(isSensitiveName(name), name);
  for (const name of ['content-type', 'idempotency-key', 'x-request-id', 'amount', 'author', 'classname', 'limit'])
    assert.ok(!isSensitiveName(name), name);
});

test('every encoding of a secret is scrubbed, including base64 inside Basic credentials', () => {
  const spellings = [
    SECRET,
    Buffer.from(SECRET).toString('base64'),
    Buffer.from(SECRET).toString('base64url'),
    Buffer.from(`someone:${SECRET}`).toString('base64'),
    Buffer.from(`ab:${SECRET}`).toString('base64'),
    Buffer.from(`a:${SECRET}`).toString('base64url'),
    encodeURIComponent(SECRET),
    encodeURIComponent(SECRET).replace(/%20/g, '+'),
    new URLSearchParams({ q: SECRET }).toString(),
    Buffer.from(SECRET).toString('hex'),
    Buffer.from(SECRET).toString('hex').toUpperCase(),
    JSON.stringify(SECRET),
  ];
  for (const spelling of spellings) {
    const out = redactText(`note ${spelling} end`, { secrets: [SECRET] });
    assert.ok(out.includes(REDACTED), spelling);
    for (const needle of secretEncodings(SECRET).filter((n) => n.length >= 8))
      assert.ok(!out.includes(needle), `${needle} left in ${out}`);
  }
});

test('headers, query parameters and JSON or form fields are redacted by name, at any depth', () => {
  const headers = redactHeaders({
    'X-Stripe-Secret': 'v1',
    'content-type': 'application/json',
    referer: '/a?token=v2',
  });
  assert.deepEqual(headers, {
    'x-stripe-secret': REDACTED,
    'content-type': 'application/json',
    referer: `/a?token=${REDACTED}`,
  });
  assert.equal(
    redactText('/v1/x?api_key=v3&limit=5&access_token=v4'),
    `/v1/x?api_key=${REDACTED}&limit=5&access_token=${REDACTED}`,
  );
  const body = JSON.stringify({
    amount: 5,
    customer: { password: 'v5', card: { number: '4242424242424242', cvc: '123' }, card_number: '4000' },
    echo: JSON.stringify({ password: 'v6' }),
  });
  const redacted = redactBody(body)!;
  for (const value of ['v5', '4242424242424242', '4000', 'v6']) assert.ok(!redacted.includes(value), value);
  assert.equal(JSON.parse(redacted).amount, 5);
  assert.equal(redactBody('user=ann&password=v7&pin=1234'), `user=ann&password=${REDACTED}&pin=${REDACTED}`);
  const cut = redactBody(`{"items":"${'x'.repeat(5000)}","password":"v8"}`, {}, 100)!;
  assert.ok(!cut.includes('v8') && cut.includes('more bytes'));
  const unchanged = '{ "amount": 5 }';
  assert.equal(redactBody(unchanged), unchanged, 'a body with nothing to redact keeps its exact bytes');
});

test("a streamed body's bounded copy is marked with what was never kept, and no NUL reaches the database", () => {
  assert.equal(redactBody('{"a":1}', {}, 4096, 10_007), '{"a":1}…[10000 more bytes]');
  assert.equal(redactBody('{"a":1}', {}, 4096, 7), '{"a":1}', 'a copy that is the whole body is not marked');
  const binary = redactBody(Buffer.from([0x61, 0x00, 0x62]))!;
  assert.equal(binary.includes('\0'), false);
  assert.equal(binary, 'a\uFFFDb');
});
