import assert from 'node:assert/strict';
import { test } from 'node:test';
import { integrationFormGroups } from '@/app/(app)/settings/integrations/fields';
import { integrationSchema } from '@/lib/integrations';

// The settings form is derived from integrationSchema's JSON Schema: every field it offers is one the API
// accepts, and every field the API accepts is offered (as a field or inside a JSON field).
const groups = integrationFormGroups();
const fields = groups.flatMap((group) => group.fields);
const byPath = new Map(fields.map((field) => [field.path, field]));
process.env.BREAKWATER_SECRET_FORM_OAUTH = 'x';
const defaults = integrationSchema.parse({
  name: 'Pay',
  slug: 'pay',
  baseUrl: 'https://pay.example',
  authScheme: 'oauth2',
  oauth2: { tokenUrl: 'https://login.example/token', clientId: 'pay', clientSecretEnv: 'BREAKWATER_SECRET_FORM_OAUTH' },
});

/** Every path of the parsed defaults down to a value the form edits whole (scalars, lists, JSON objects). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || byPath.has(prefix.slice(0, -1)))
    return [prefix.slice(0, -1)];
  return Object.entries(value).flatMap(([key, inner]) => leafPaths(inner, `${prefix}${key}.`));
}

test('the form offers exactly the fields the schema has', () => {
  const schemaPaths = leafPaths(defaults).sort();
  const optionalNullable = [
    'authHeader',
    'secretEnv',
    'secondarySecretEnv',
    'sandbox',
    'oauth2.privateKeyEnv',
    'oauth2.audience',
    'oauth2.resource',
  ];
  assert.deepEqual(
    fields
      .map((field) => field.path)
      .filter((path) => !optionalNullable.includes(path))
      .sort(),
    schemaPaths,
  );
  for (const path of optionalNullable) assert.equal(byPath.get(path)?.nullable, true, path);
});

test('kinds, options and bounds come from the schema', () => {
  assert.deepEqual(byPath.get('authScheme'), {
    path: 'authScheme',
    label: 'Auth scheme',
    nullable: false,
    hint: undefined,
    kind: 'enum',
    options: ['none', 'bearer', 'header', 'basic', 'oauth2'],
  });
  assert.deepEqual(byPath.get('oauth2.clientAuth')?.options, [
    'client_secret_basic',
    'client_secret_post',
    'private_key_jwt',
  ]);
  assert.equal(byPath.get('oauth2.scopes')?.kind, 'list');
  assert.equal(byPath.get('name')?.kind, 'text');
  assert.equal(byPath.get('policy.retry.jitter')?.kind, 'boolean');
  assert.deepEqual(
    { ...byPath.get('policy.fallback.status'), hint: undefined },
    {
      path: 'policy.fallback.status',
      label: 'Status',
      nullable: false,
      hint: undefined,
      kind: 'number',
      min: 100,
      max: 599,
      integer: true,
    },
  );
  assert.equal(byPath.get('policy.retry.retryOnStatuses')?.itemKind, 'number');
  assert.equal(byPath.get('policy.cache.methods')?.itemKind, 'text');
  assert.equal(byPath.get('policy.breaker.slowCallMs')?.nullable, true);
  assert.equal(byPath.get('policy.breaker.window')?.kind, 'json');
  assert.equal(byPath.get('policy.fallback.headers')?.kind, 'json');
});

test('the OAuth2 settings are a group shown only for auth scheme oauth2', () => {
  assert.equal(groups[1].key, 'oauth2');
  assert.deepEqual(groups[1].when, { path: 'authScheme', value: 'oauth2' });
  assert.ok(groups[1].fields.every((field) => field.path.startsWith('oauth2.')));
});

test('policy objects are groups; loose policy fields gather under Other', () => {
  assert.equal(groups[0].key, 'general');
  const rest = groups.filter((group) => group.key !== 'oauth2');
  const policyObjects = Object.entries(defaults.policy)
    .filter(([, value]) => value !== null && typeof value === 'object' && !Array.isArray(value))
    .map(([key]) => key);
  assert.deepEqual(
    rest.slice(1, 1 + policyObjects.length).map((group) => group.key),
    policyObjects,
  );
  assert.deepEqual(
    rest.at(-1)?.fields.map((field) => field.path),
    ['policy.trackingHeaders'],
  );
});
