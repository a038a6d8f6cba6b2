import { expect, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { signIn } from './support';

// An admin makes a scoped token with a monthly quota in the browser, sees it once with its curl line, and
// finds its calls on the integration page's Callers panel.
test('a token with a quota: made in the browser, shown once, its calls on the integration page', async ({ page }) => {
  const run = Date.now().toString(36);
  const slug = `e2e-tokens-${run}`;
  await signIn(page);
  const integration = await page.request.post('/api/integrations', {
    data: {
      name: `E2E tokens ${run}`,
      slug,
      baseUrl: `${E2E.upstreamURL}/tokens`,
      policy: { cache: { enabled: false }, rateLimit: { enabled: false }, retry: { maxRetries: 0 } },
    },
  });
  expect(integration.status()).toBe(201);

  await page.goto('/tokens');
  const form = page.getByRole('form', { name: 'Create an API token' });
  await form.getByLabel('Token name').fill(`quota ${run}`);
  await form.getByLabel(/Integrations/).fill(slug);
  await form.getByLabel(/Monthly quota/).fill(`${slug}=2`);
  await form.getByRole('button', { name: 'Create token' }).click();
  const value = (await page.getByTestId('new-token').textContent()) ?? '';
  expect(value).toMatch(/^bw_/);
  await expect(
    page.getByText(`curl -i -H 'Authorization: Bearer ${value}' '${E2E.baseURL}/api/gw/${slug}/<path>'`),
  ).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(`quota ${run}`) });
  await expect(row).toContainText('gateway');
  await expect(row).toContainText(`${slug}: 2/month`);
  await expect(row).toContainText('active');
  await expect(row).not.toContainText(value);

  const call = () => fetch(`${E2E.baseURL}/api/gw/${slug}/thing`, { headers: { authorization: `Bearer ${value}` } });
  expect((await call()).status).not.toBe(401);
  expect((await call()).status).not.toBe(401);
  const spent = await call();
  expect(spent.status).toBe(429);
  expect((await spent.json()).error).toMatch(/monthly quota of 2 calls/);

  await page.goto(`/integrations/${slug}`);
  const caller = page.getByRole('region', { name: 'Callers' }).getByRole('row', { name: new RegExp(`quota ${run}`) });
  await expect(caller).toContainText('2 (0 left');
  await expect(caller.getByRole('cell').nth(1)).toHaveText('2');
});
