import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import {
  checkSecretPin,
  isAllowedOrigin,
  isExposedSecretName,
  isSecretConfigured,
  NOT_EXPOSED_MESSAGE,
  readSecret,
  SecretNotExposedError,
  SecretNotSetError,
  SecretPinnedError,
  secretNameSchema,
  secretPins,
} from './index';

const env = {
  BREAKWATER_SECRET_PAYMENTS: 'sk_live_payments',
  BREAKWATER_SECRET_NAMES: ' LEGACY_STRIPE_KEY , OTHER_KEY,,',
  BREAKWATER_SECRET_PINS:
    'BREAKWATER_SECRET_PAYMENTS=https://api.pay.example/v1, https://backup.pay.example:8443;LEGACY_STRIPE_KEY=not a url',
  LEGACY_STRIPE_KEY: 'sk_legacy',
  DATABASE_URL: 'postgres://user:pw@db/prod',
  BREAKWATER_ADMIN_PASSWORD: 'admin-pw',
  HOME: '/root',
};

test('only BREAKWATER_SECRET_* names and names listed in BREAKWATER_SECRET_NAMES are exposed', () => {
  for (const name of ['BREAKWATER_SECRET_PAYMENTS', 'BREAKWATER_SECRET_UNSET', 'LEGACY_STRIPE_KEY', 'OTHER_KEY'])
    assert.equal(isExposedSecretName(name, env), true, name);
  for (const name of [
    'DATABASE_URL',
    'BREAKWATER_ADMIN_PASSWORD',
    'HOME',
    'AWS_SECRET_ACCESS_KEY',
    'BREAKWATER_SECRET_NAMES',
    'BREAKWATER_SECRET_PINS',
    'BREAKWATER_SECRET_',
    'breakwater_secret_payments',
    '',
  ])
    assert.equal(isExposedSecretName(name, env), false, name);
  assert.equal(isExposedSecretName('LEGACY_STRIPE_KEY', {}), false, 'a listed name is exposed only while listed');
});

test('readSecret returns an exposed value and refuses the rest with typed errors that never carry a value', () => {
  assert.equal(readSecret('BREAKWATER_SECRET_PAYMENTS', {}, env), 'sk_live_payments');
  assert.equal(
    readSecret('BREAKWATER_SECRET_PAYMENTS', { origin: 'https://api.pay.example/other/path' }, env),
    'sk_live_payments',
  );
  assert.throws(() => readSecret('DATABASE_URL', {}, env), SecretNotExposedError);
  assert.throws(() => readSecret('BREAKWATER_SECRET_UNSET', {}, env), SecretNotSetError);
  assert.throws(
    () => readSecret('BREAKWATER_SECRET_PAYMENTS', { origin: 'http://127.0.0.1:9' }, env),
    SecretPinnedError,
  );
  for (const [name, origin] of [
    ['DATABASE_URL', undefined],
    ['BREAKWATER_SECRET_PAYMENTS', 'https://attacker.example'],
  ] as const) {
    try {
      readSecret(name, { origin }, env);
      assert.fail('must throw');
    } catch (error) {
      const message = (error as Error).message;
      assert.match(message, new RegExp(name));
      assert.ok(!message.includes(env[name]), 'the message names the variable, never its value');
    }
  }
});

test('pins compare origins after normalisation; an unpinned secret may go anywhere; a malformed pin sends nowhere', () => {
  assert.deepEqual(
    [...(secretPins(env).get('BREAKWATER_SECRET_PAYMENTS') ?? [])],
    ['https://api.pay.example', 'https://backup.pay.example:8443'],
  );
  assert.equal(isAllowedOrigin('BREAKWATER_SECRET_PAYMENTS', 'HTTPS://API.PAY.EXAMPLE:443/x', env), true);
  assert.equal(isAllowedOrigin('BREAKWATER_SECRET_PAYMENTS', 'http://api.pay.example', env), false, 'scheme counts');
  assert.equal(isAllowedOrigin('BREAKWATER_SECRET_PAYMENTS', 'https://backup.pay.example', env), false, 'port counts');
  assert.equal(isAllowedOrigin('BREAKWATER_SECRET_PAYMENTS', 'not a url', env), false);
  assert.equal(isAllowedOrigin('OTHER_KEY', 'http://127.0.0.1:1', env), true);
  assert.equal(isAllowedOrigin('LEGACY_STRIPE_KEY', 'https://api.stripe.com', env), false);
});

test('isSecretConfigured reveals nothing about variables that are not exposed', () => {
  assert.equal(isSecretConfigured('BREAKWATER_SECRET_PAYMENTS', env), true);
  assert.equal(isSecretConfigured('BREAKWATER_SECRET_UNSET', env), false);
  assert.equal(isSecretConfigured('HOME', env), false);
  assert.equal(isSecretConfigured('DATABASE_URL', env), false);
  assert.equal(isSecretConfigured(null, env), false);
});

test('the secret-name schema reads the environment when it parses, and pins refuse the URL field', () => {
  const saved = { names: process.env.BREAKWATER_SECRET_NAMES, pins: process.env.BREAKWATER_SECRET_PINS };
  try {
    process.env.BREAKWATER_SECRET_NAMES = 'LISTED_NOW';
    process.env.BREAKWATER_SECRET_PINS = 'BREAKWATER_SECRET_HOOK=https://hooks.example';
    assert.equal(secretNameSchema.parse(' BREAKWATER_SECRET_HOOK '), 'BREAKWATER_SECRET_HOOK');
    assert.equal(secretNameSchema.parse('LISTED_NOW'), 'LISTED_NOW');
    const refused = secretNameSchema.safeParse('DATABASE_URL');
    assert.equal(refused.success, false);
    assert.equal(refused.error?.issues[0].message, NOT_EXPOSED_MESSAGE);
    delete process.env.BREAKWATER_SECRET_NAMES;
    assert.equal(secretNameSchema.safeParse('LISTED_NOW').success, false, 'unlisting applies at once');

    const hook = z
      .object({ url: z.string(), secretEnv: secretNameSchema })
      .superRefine((value, ctx) => checkSecretPin(ctx, value.secretEnv, value.url, ['url']));
    assert.equal(
      hook.safeParse({ url: 'https://hooks.example/in', secretEnv: 'BREAKWATER_SECRET_HOOK' }).success,
      true,
    );
    const elsewhere = hook.safeParse({ url: 'http://127.0.0.1:8080/in', secretEnv: 'BREAKWATER_SECRET_HOOK' });
    assert.deepEqual(
      elsewhere.error?.issues.map((issue) => issue.path),
      [['url']],
    );
  } finally {
    for (const [key, value] of [
      ['BREAKWATER_SECRET_NAMES', saved.names],
      ['BREAKWATER_SECRET_PINS', saved.pins],
    ] as const)
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  }
});
