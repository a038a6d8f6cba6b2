import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { type Httpbin, startHttpbin } from './httpbin.ts';

let httpbin: Httpbin;

before(async () => {
  httpbin = await startHttpbin();
});

after(async () => {
  await httpbin?.close();
});

test('answers /status/418 with 418', async () => {
  const response = await request(`${httpbin.url}/status/418`);
  await response.body.dump();
  assert.equal(response.statusCode, 418);
});

test('/headers echoes the request headers', async () => {
  const response = await request(`${httpbin.url}/headers`, {
    headers: { authorization: 'Bearer secret', 'idempotency-key': 'key-1' },
  });
  assert.equal(response.statusCode, 200);
  const body = (await response.body.json()) as { headers: Record<string, string> };
  assert.equal(body.headers.Authorization, 'Bearer secret');
  assert.equal(body.headers['Idempotency-Key'], 'key-1');
});

// httpbin hides proxy-ish headers such as X-Request-Id unless asked with show_env.
test('/headers?show_env=1 echoes x-request-id', async () => {
  const response = await request(`${httpbin.url}/headers?show_env=1`, { headers: { 'x-request-id': 'req-123' } });
  const body = (await response.body.json()) as { headers: Record<string, string> };
  assert.equal(body.headers['X-Request-Id'], 'req-123');
});
