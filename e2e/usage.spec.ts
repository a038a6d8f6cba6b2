import { expect, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { newToken, signIn } from './support';

// Issue 17: calls through the gateway, a price set through the integration page's form (a bad one first:
// the field says why and nothing is saved), then the cost on the integration page, its overview tile and
// the Usage page.
test('set a price through the form and see the cost on the tile and the usage page', async ({ page }) => {
  await signIn(page);
  const slug = `usage-${Date.now()}`;
  const created = await page.request.post('/api/integrations', {
    data: {
      name: 'E2E usage',
      slug,
      baseUrl: `${E2E.upstreamURL}/usage`,
      policy: { retry: { maxRetries: 0 }, cache: { enabled: false } },
    },
  });
  expect(created.status()).toBe(201);
  const token = await newToken(page, `usage ${slug}`);
  for (let i = 0; i < 4; i++) {
    const call = await page.request.get(`/api/gw/${slug}/v1/geocode`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(call.status()).toBeLessThan(500);
  }
  await expect
    .poll(async () => {
      const usage = await (await page.request.get(`/api/integrations/${slug}/usage`)).json();
      return usage.usage.attempts;
    })
    .toBe(4);

  await page.goto(`/integrations/${slug}`);
  const prices = page.getByRole('region', { name: 'Prices' });
  await expect(prices).toContainText('No price set.');
  // Before hydration a click does nothing: click until the form opens.
  await expect(async () => {
    await prices.getByRole('button', { name: 'Set a price' }).click();
    await expect(prices.getByRole('form', { name: 'Set a price' })).toBeVisible({ timeout: 1000 });
  }).toPass();
  const form = prices.getByRole('form', { name: 'Set a price' });
  await form.getByLabel('Price per attempt').fill('a quarter');
  await form.getByRole('button', { name: 'Save price' }).click();
  await expect(form.locator('#price-per-call-error')).toContainText('must be a price per call');
  expect((await (await page.request.get(`/api/integrations/${slug}/prices`)).json()).prices).toEqual([]);

  await form.getByLabel('Price per attempt').fill('0.25');
  await form.getByRole('button', { name: 'Save price' }).click();
  await expect(prices.getByTestId('price-versions')).toContainText('0.25 USD per attempt');
  await expect(page.getByTestId('integration-cost')).toHaveText('$1.00');

  await page.goto('/');
  await expect(page.getByTestId(`integration-${slug}`).getByTestId('cost-mtd')).toHaveText('Cost this month: $1.00');

  await page.getByRole('link', { name: 'Usage', exact: true }).click();
  await expect(page).toHaveURL(/\/usage/);
  const row = page.getByTestId(`usage-${slug}`);
  await expect(row.getByTestId('usage-cost')).toHaveText('$1.00');
  await expect(row).toContainText('E2E usage');

  // A budget is offered as a starting point in the rule form.
  await page.goto('/alerts/new');
  await expect(async () => {
    await page.getByRole('button', { name: 'Monthly budget' }).click();
    await expect(page.locator('select[name="metric"]')).toHaveValue('cost_month_to_date', { timeout: 1000 });
  }).toPass();
  await expect(page.locator('input[name="name"]')).toHaveValue('Monthly budget');
});
