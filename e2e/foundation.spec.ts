import { expect, request, test } from '@playwright/test';
import { createDb } from '@/lib/db';
import { E2E } from '../playwright.config';

// The walking skeleton as a user meets it: sign in, see the integrations, make a token, send calls
// through the gateway, and watch the overview count exactly what the database holds.
test('sign in, create a token, drive calls through the gateway and see the counts the database holds', async ({
  page,
}, testInfo) => {
  const db = createDb(E2E.databaseUrl);
  try {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('form', { name: 'Sign in to Breakwater' }).getByRole('alert')).toHaveText(
      'wrong username or password',
    );
    await page.getByLabel('Password').fill(E2E.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Integrations' })).toBeVisible();

    const created = await page.request.post('/api/integrations', {
      data: {
        name: 'E2E Payments',
        slug: 'e2e-payments',
        baseUrl: `${E2E.upstreamURL}/payments`,
        policy: { cache: { enabled: false } },
      },
    });
    expect(created.status()).toBe(201);
    // The overview refreshes every 5 s: the new integration appears at the next refresh.
    await expect(page.getByTestId('integration-e2e-payments')).toBeVisible({ timeout: 15_000 });
    await page.screenshot({ path: testInfo.outputPath('overview-empty.png'), fullPage: true });

    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('e2e caller');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent())!;
    expect(token).toMatch(/^bw_/);
    await expect(page.getByRole('table', { name: 'API tokens' })).toContainText('e2e caller');
    await page.screenshot({ path: testInfo.outputPath('tokens.png'), fullPage: true });

    const caller = await request.newContext({
      baseURL: E2E.baseURL,
      extraHTTPHeaders: { authorization: `Bearer ${token}` },
    });
    for (let i = 0; i < 12; i++) {
      const response = await caller.get(`/api/gw/e2e-payments/v1/charges/${i}`);
      expect(response.status()).toBe(200);
      expect(response.headers()['x-request-id']).toBeTruthy();
    }
    const failing = await caller.post('/api/gw/e2e-payments/v1/charges', { data: { amount: 100 } });
    expect(failing.status()).toBe(200);
    await caller.dispose();

    const integration = await db.integration.findUniqueOrThrow({
      where: { workspaceId_slug: { workspaceId: 'default', slug: 'e2e-payments' } },
    });
    const stored = async () =>
      (
        await db.metricRollup.aggregate({
          where: { integrationId: integration.id, bucketSeconds: 60 },
          _sum: { count: true },
        })
      )._sum.count ?? 0;
    await expect.poll(stored, { timeout: 10_000 }).toBe(13);

    await page.getByRole('link', { name: 'Overview' }).click();
    const row = page.getByTestId('integration-e2e-payments');
    await expect(row.getByTestId('requests')).toHaveText(String(await stored()), { timeout: 15_000 });
    await expect(row.getByTestId('error-rate')).toHaveText('0.0%');
    await expect(row.getByTestId('p95')).toHaveText(/\d+(\.\d)? m?s/);
    await page.screenshot({ path: testInfo.outputPath('overview-live.png'), fullPage: true });
  } finally {
    await db.$disconnect();
  }
});
