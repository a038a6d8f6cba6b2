import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Integration, integrationSchema } from '@/lib/integrations';
import { parsePolicy } from '@/lib/resilience';
import { REDACTED } from '@/lib/telemetry';
import { replayCredential, replayDraft } from './replay-draft';

function integration(input: Record<string, unknown>): Integration {
  const config = integrationSchema.parse({ slug: 'pay', name: 'Pay', baseUrl: 'https://pay.example/v1', ...input });
  return {
    ...config,
    id: 'i1',
    workspaceId: 'default',
    policy: parsePolicy(config.policy),
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

test('a draft is the recorded request relative to the base URL, query apart, without what the server sets', () => {
  const draft = replayDraft(
    {
      method: 'POST',
      path: '/v1/charges?expand=customer',
      requestHeaders: {
        'content-type': 'application/json',
        'x-request-id': 'r1',
        traceparent: '00-abc-def-01',
        'content-length': '12',
        'idempotency-key': 'k1',
        authorization: REDACTED,
      },
      requestBody: '{"amount":1}',
    },
    integration({}),
  );
  assert.deepEqual(draft, {
    method: 'POST',
    path: '/charges',
    query: 'expand=customer',
    headers: [{ name: 'content-type', value: 'application/json' }],
    body: '{"amount":1}',
  });
});

test('a call without a recorded body or query gives empty fields', () => {
  const draft = replayDraft(
    { method: 'GET', path: '/v1/charges', requestHeaders: {}, requestBody: null },
    integration({}),
  );
  assert.deepEqual(draft, { method: 'GET', path: '/charges', query: '', headers: [], body: '' });
});

test('the credential is named by header and variable, never by value', () => {
  assert.equal(replayCredential(integration({})), null);
  assert.deepEqual(replayCredential(integration({ authScheme: 'bearer', secretEnv: 'BREAKWATER_SECRET_PAY' })), {
    header: 'authorization',
    secretEnv: 'BREAKWATER_SECRET_PAY',
  });
  assert.deepEqual(
    replayCredential(
      integration({ authScheme: 'header', authHeader: 'X-Api-Key', secretEnv: 'BREAKWATER_SECRET_PAY' }),
    ),
    { header: 'x-api-key', secretEnv: 'BREAKWATER_SECRET_PAY' },
  );
});
