import { expect, test } from '@playwright/test';
import { createDb, type Db } from '@/lib/db';
import { E2E } from '../playwright.config';
import {
  type AuthorizationServer,
  type ProtectedUpstream,
  SCOPE,
  startAuthorizationServer,
  startProtectedUpstream,
} from '../test/oauth2/support';
import { newToken, signIn } from './support';

// An OAuth2 integration configured through the settings form, then called through the gateway: a real
// authorization server (oidc-provider) and an upstream that honours only its tokens, both on 127.0.0.1.
let db: Db;
let authServer: AuthorizationServer;
let upstream: ProtectedUpstream;

test.beforeAll(async () => {
  db = createDb(E2E.databaseUrl);
  authServer = await startAuthorizationServer({ secret: E2E.oauthClientSecret });
  upstream = await startProtectedUpstream((token) => authServer.validate(token));
});

test.afterAll(async () => {
  await upstream.close();
  await authServer.close();
  await db.$disconnect();
});

test('an OAuth2 integration is configured through the form (bad input named by field) and its calls carry a fresh token', async ({
  page,
}, testInfo) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'New integration' }).click();
  const form = page.getByRole('form', { name: 'New integration' });
  await form.getByLabel('Name', { exact: true }).fill('E2E OAuth2 orders');
  await form.getByLabel('Slug').fill('oauth-orders');
  await form.getByLabel('Base URL').fill(upstream.url);
  await expect(form.getByLabel('Token URL')).toHaveCount(0);
  await form.getByLabel('Auth scheme').selectOption('oauth2');
  await expect(form.getByRole('group', { name: 'OAuth2 client credentials' })).toBeVisible();

  await form.getByLabel('Token URL').fill('ftp://login.example/token');
  await form.getByLabel('Client ID').fill('basic-client');
  await form.getByLabel('Client secret environment variable').fill('HOME');
  await form.getByLabel('Scopes').fill(SCOPE);
  await form.getByRole('button', { name: 'Create integration' }).click();
  await expect(form.getByLabel('Token URL')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Token URL')).toHaveAccessibleDescription(/must use http or https/);
  await expect(form.getByLabel('Client secret environment variable')).toHaveAccessibleDescription(
    /must be an exposed secret/,
  );
  await page.screenshot({ path: testInfo.outputPath('oauth2-errors.png'), fullPage: true });
  expect(await db.integration.count({ where: { slug: 'oauth-orders' } })).toBe(0);

  await form.getByLabel('Token URL').fill(authServer.tokenUrl);
  await form.getByLabel('Client secret environment variable').fill('BREAKWATER_SECRET_E2E_OAUTH_CLIENT');
  await form.getByRole('button', { name: 'Create integration' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Created E2E OAuth2 orders' })).toBeVisible();
  const row = await db.integration.findFirstOrThrow({ where: { slug: 'oauth-orders' } });
  expect(row.authScheme).toBe('oauth2');
  expect(JSON.parse(row.oauth2 ?? 'null')).toMatchObject({
    tokenUrl: authServer.tokenUrl,
    clientId: 'basic-client',
    clientSecretEnv: 'BREAKWATER_SECRET_E2E_OAUTH_CLIENT',
    clientAuth: 'client_secret_basic',
    scopes: [SCOPE],
    refreshSkewSeconds: 60,
  });
  // The edit form shows what was saved, and saves it again unchanged.
  const edit = page.getByRole('form', { name: 'Edit integration' });
  await expect(edit.getByLabel('Token URL')).toHaveValue(authServer.tokenUrl);
  await expect(edit.getByLabel('Scopes')).toHaveValue(SCOPE);
  await expect(edit.getByLabel('Refresh ahead of expiry (s)')).toHaveValue('60');
  await edit.getByLabel('Refresh ahead of expiry (s)').fill('120');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByRole('status')).toContainText('Saved');
  const edited = await db.integration.findFirstOrThrow({ where: { slug: 'oauth-orders' } });
  expect(JSON.parse(edited.oauth2 ?? 'null')).toMatchObject({ scopes: [SCOPE], refreshSkewSeconds: 120 });
  await page.screenshot({ path: testInfo.outputPath('oauth2-saved.png'), fullPage: true });

  const token = await newToken(page, 'e2e oauth2');
  for (let i = 0; i < 3; i++) {
    const response = await page.request.get('/api/gw/oauth-orders/orders', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status()).toBe(200);
  }
  expect(authServer.grants.get('basic-client')).toBe(1);
  expect(upstream.requests.filter((r) => r.ok).length).toBeGreaterThanOrEqual(1);
});
