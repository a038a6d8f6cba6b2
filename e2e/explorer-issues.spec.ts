import { expect, request, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { clearFaults, newToken, setFault, signIn } from './support';

// The explorer mid-incident, as on-call meets it: the upstream answers 500 to everything, the breaker
// opens and short-circuits the rest. The "any attempt 5xx" filter finds the calls that ended circuit_open,
// and the Issues view says it in one line: how many short-circuits since when, and what opened the breaker.

test('mid-outage, the attempt filter and the Issues view find the failing calls and say why', async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const caller = await request.newContext({ baseURL: E2E.baseURL });
  try {
    await signIn(page);
    const created = await page.request.post('/api/integrations', {
      data: {
        name: 'E2E Issues',
        slug: 'e2e-issues',
        baseUrl: `${E2E.upstreamURL}/issues`,
        policy: {
          cache: { enabled: false },
          rateLimit: { enabled: false },
          retry: { maxRetries: 1, initialDelayMs: 10, jitter: false },
          breaker: { consecutiveFailures: 3, openMs: 600_000 },
        },
      },
    });
    expect(created.status()).toBe(201);
    const token = await newToken(page, 'issues e2e');
    await setFault({ route: '/issues/*', mode: 'fail', failStatus: 500 });
    for (let i = 0; i < 12; i++) {
      const answer = await caller.get(`/api/gw/e2e-issues/v1/contacts/c${i}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.status()).toBeGreaterThanOrEqual(500);
    }

    // The explorer, filtered in its form: any attempt got a 5xx.
    await page.goto('/explorer');
    await page.getByLabel('Integration').selectOption('e2e-issues');
    await page.getByLabel('Attempts').selectOption('5xx');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/attempt=5xx/);
    const calls = page.getByRole('table', { name: 'Calls' });
    await expect(calls.getByRole('row').nth(1)).toBeVisible({ timeout: 15_000 });
    await expect(calls).toContainText('/v1/contacts/:id');
    // Short-circuits made no attempt: the attempt filter leaves them out, the outcome filter shows them marked.
    await expect(calls).not.toContainText('short-circuit');
    await page.screenshot({ path: testInfo.outputPath('explorer-attempt-5xx.png'), fullPage: true });

    await page.goto('/explorer?integration=e2e-issues&outcome=circuit_open');
    await expect(calls.getByText('short-circuit').first()).toBeVisible({ timeout: 15_000 });

    // The Issues view: one line for the short-circuits, naming what opened the breaker.
    await page.goto('/explorer');
    await page.getByRole('link', { name: 'Issues: failures grouped' }).click();
    await expect(page).toHaveURL(/\/explorer\/issues/);
    const issues = page.getByRole('table', { name: 'Issues' });
    const shortCircuits = issues.getByRole('row').filter({ hasText: 'circuit open' }).filter({ hasText: 'E2E Issues' });
    await expect(shortCircuits).toHaveCount(1, { timeout: 15_000 });
    await expect(shortCircuits).toContainText('/v1/contacts/:id');
    await expect(shortCircuits).toContainText('after 3 consecutive failures (last attempt: HTTP 500)');
    // The calls before it opened: their own line, caused by the 500s.
    const serverErrors = issues.getByRole('row').filter({ hasText: 'server error' }).filter({ hasText: 'E2E Issues' });
    await expect(serverErrors).toHaveCount(1);
    await expect(serverErrors).toContainText('HTTP 500');
    await page.screenshot({ path: testInfo.outputPath('issues.png'), fullPage: true });

    // Its count opens the explorer on exactly those calls.
    const count = Number((await shortCircuits.getByRole('link').textContent())?.replace(/ calls?$/, ''));
    expect(count).toBeGreaterThan(0);
    await shortCircuits.getByRole('link').click();
    await expect(page).toHaveURL(/\/explorer\?.*outcome=circuit_open/);
    await expect(calls.getByRole('row')).toHaveCount(count + 1, { timeout: 15_000 });

    // The integration page's route table: the twelve contact paths are one route, each call failed for
    // its caller, and the row opens the explorer on that route.
    await page.goto('/integrations/e2e-issues');
    const routes = page.getByRole('table', { name: 'Routes' });
    const contacts = routes.getByRole('row').filter({ hasText: '/v1/contacts/:id' });
    await expect(contacts).toHaveCount(1, { timeout: 15_000 });
    await expect(contacts.getByRole('cell').nth(1)).toHaveText('12', { timeout: 15_000 });
    await expect(contacts.getByRole('cell').nth(2)).toHaveText('100.0%');
    // Charts without data for the range collapse to a line each: caching and the rate limit are off here.
    await expect(page.getByRole('img', { name: 'Latency chart' })).toBeVisible({ timeout: 15_000 });
    const collapsed = page.getByTestId('collapsed-charts');
    await expect(collapsed.getByRole('region', { name: 'Cache hit ratio' })).toHaveText(
      /Cache hit ratio\s*No cacheable call in this range\./,
    );
    await expect(collapsed.getByRole('region', { name: 'Rate-limit usage (no limit)' })).toContainText(
      'No rate limit, and no call waited or was rejected in this range.',
    );
    await expect(page.getByRole('img', { name: /^Cache hit ratio chart/ })).toHaveCount(0);
    await expect(collapsed.getByRole('region', { name: 'Error rate' })).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('route-table.png'), fullPage: true });
    await contacts.getByRole('link').click();
    await expect(page).toHaveURL(/\/explorer\?integration=e2e-issues&route=%2Fv1%2Fcontacts%2F%3Aid/);
    await expect(calls.getByRole('row')).toHaveCount(13, { timeout: 15_000 });
  } finally {
    await caller.dispose();
    await clearFaults();
  }
});
