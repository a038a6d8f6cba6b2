import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditDiff } from './record';

test('a diff keeps only the fields that changed, on both sides', () => {
  const diff = auditDiff(
    { name: 'CRM', baseUrl: 'https://a.example/', policy: { retry: { maxRetries: 3 } } },
    { name: 'CRM', baseUrl: 'https://b.example/', policy: { retry: { maxRetries: 3 } } },
  );
  assert.deepEqual(diff, { before: { baseUrl: 'https://a.example/' }, after: { baseUrl: 'https://b.example/' } });
});

test('secrets, credentials and bodies never appear, at any depth; secret names do', () => {
  const diff = auditDiff(null, {
    secretEnv: 'BREAKWATER_SECRET_CRM',
    passwordHash: '$argon2id$...',
    tokenHash: 'abc',
    nested: { clientSecret: 's3cr3t', requestBody: '{"card":"4242"}', kept: 1 },
  });
  assert.deepEqual(diff, { before: null, after: { secretEnv: 'BREAKWATER_SECRET_CRM', nested: { kept: 1 } } });
  assert.doesNotMatch(JSON.stringify(diff), /s3cr3t|4242|argon2/);
});
