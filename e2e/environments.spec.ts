import { expect, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { newToken, signIn, upstreamControl } from './support';

// An integration with a sandbox, active in the sandbox, switched to production on its page behind a
// confirmation: the page shows the environment and the recorded switch, and the next call goes to production.
test('switch an integration from sandbox to production with the confirmation', async ({ page }) => {
  await signIn(page);
  const slug = `env-${Date.now()}`;
  const created = await page.request.post('/api/integrations', {
    data: {
      name: 'E2E environments',
      slug,
      baseUrl: `${E2E.upstreamURL}/prod`,
      sandbox: { baseUrl: `${E2E.upstreamURL}/sandbox` },
      policy: { retry: { maxRetries: 0 }, cache: { enabled: false } },
    },
  });
  expect(created.status()).toBe(201);
  const toSandbox = await page.request.post(`/api/integrations/${slug}/environment`, {
    data: { environment: 'sandbox' },
  });
  expect(toSandbox.status()).toBe(200);

  await page.goto(`/integrations/${slug}`);
  const badge = page.getByTestId('active-environment');
  await expect(badge).toHaveText('sandbox');
  await expect(page.getByText(`${E2E.upstreamURL}/sandbox`).first()).toBeVisible();

  // Cancel first: nothing changes.
  await page.getByRole('button', { name: 'Switch to production' }).click();
  const dialog = page.getByRole('dialog', { name: 'Switch to production?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`${E2E.upstreamURL}/prod`);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(badge).toHaveText('sandbox');

  await page.getByRole('button', { name: 'Switch to production' }).click();
  await dialog.getByRole('button', { name: 'Switch to production' }).click();
  await expect(badge).toHaveText('production');
  await expect(page.getByTestId('last-environment-switch')).toContainText(
    'Switched from sandbox to production by admin',
  );
  await expect(page.getByRole('button', { name: 'Switch to sandbox' })).toBeVisible();

  // The data plane follows at once.
  const token = await newToken(page, `env ${slug}`);
  const call = await page.request.get(`/api/gw/${slug}/v1/ping`, { headers: { authorization: `Bearer ${token}` } });
  expect(call.status()).toBeLessThan(500);
  const last = await upstreamControl('last-request');
  expect(JSON.stringify(last)).toContain('/prod/v1/ping');

  // The explorer lists the call as a production one.
  await expect
    .poll(async () => {
      const calls = await page.request.get(`/api/calls?integration=${slug}&environment=production`);
      return (await calls.json()).calls.length;
    })
    .toBeGreaterThan(0);
});
