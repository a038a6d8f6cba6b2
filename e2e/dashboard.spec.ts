import { expect as baseExpect, type Page, test } from '@playwright/test';
import { formatMs, formatPercent } from '@/components/ui/format';
import { startTraffic } from '@/demo/traffic';
import { createDb, type Db, LatencyHistogram } from '@/lib/db';
import { ERROR_OUTCOMES } from '@/lib/model';
import { E2E } from '../playwright.config';
import { newToken, setFault, signIn } from './support';

// The dashboard as an engineer who owns integrations meets it: the overview agrees with the database, a
// failing upstream shows up red with its breaker open, integrations are configured through the form, and
// the explorer finds one call and its attempts. Every page is kept as a screenshot.

// Generous: the server shares two cores with builds and other suites; assertions still wait for what
// a user would see, never for a fixed time.
test.describe.configure({ timeout: 180_000 });
const expect = baseExpect.configure({ timeout: 20_000 });

let db: Db;
test.beforeAll(() => {
  db = createDb(E2E.databaseUrl);
});
test.afterAll(async () => {
  await fetch(`${E2E.upstreamURL}/__control/faults`, { method: 'DELETE' });
  await db.$disconnect();
});

async function createIntegration(page: Page, slug: string, policy: object) {
  const response = await page.request.post('/api/integrations', {
    data: { name: `E2E ${slug}`, slug, baseUrl: `${E2E.upstreamURL}/${slug}`, policy },
  });
  expect(response.status()).toBe(201);
  return db.integration.findUniqueOrThrow({ where: { workspaceId_slug: { workspaceId: 'default', slug } } });
}

/** The minute rollups of one integration, once the recorder has stopped adding to them. */
async function settledRollups(integrationId: string) {
  const read = () => db.metricRollup.findMany({ where: { integrationId, bucketSeconds: 60 } });
  const total = async () => (await read()).reduce((n, r) => n + r.count, 0);
  let last = -1;
  await expect
    .poll(
      async () => {
        const now = await total();
        const settled = now > 0 && now === last;
        last = now;
        return settled;
      },
      { timeout: 15_000, intervals: [500] },
    )
    .toBe(true);
  return read();
}

test('the overview shows what the database holds for every integration', async ({ page }, testInfo) => {
  await signIn(page);
  const token = await newToken(page, 'e2e dashboard traffic');
  const steady = await createIntegration(page, 'dash-steady', { cache: { enabled: false } });
  const shaky = await createIntegration(page, 'dash-shaky', { retry: { maxRetries: 0 }, cache: { enabled: false } });
  await setFault({ route: '/dash-shaky/*', mode: 'fail', failRate: 0.3, failStatus: 500 });
  const traffic = startTraffic({
    baseUrl: E2E.baseURL,
    token,
    ratePerSec: 40,
    durationMs: 3000,
    seed: 7,
    integrations: [
      { slug: 'dash-steady', routes: [{ method: 'GET', path: '/v1/items/:id' }] },
      { slug: 'dash-shaky', routes: [{ method: 'GET', path: '/v1/items/:id' }] },
    ],
  });
  await traffic.finished;
  await setFault({ route: '/dash-shaky/*', mode: 'ok' });

  for (const integration of [steady, shaky]) {
    const rows = await settledRollups(integration.id);
    const requests = rows.reduce((n, r) => n + r.count, 0);
    const errors = rows.filter((r) => ERROR_OUTCOMES.includes(r.outcomeClass)).reduce((n, r) => n + r.count, 0);
    const histogram = new LatencyHistogram();
    for (const r of rows) histogram.merge(JSON.parse(r.latencyHist));
    const tile = page.getByTestId(`integration-${integration.slug}`);
    await expect(tile.getByTestId('requests')).toHaveText(String(requests));
    await expect(tile.getByTestId('error-rate')).toHaveText(formatPercent(errors / requests));
    await expect(tile.getByTestId('p95')).toHaveText(formatMs(histogram.quantile(0.95)));
    await expect(tile.getByTestId('p99')).toHaveText(formatMs(histogram.quantile(0.99)));
  }
  // Trouble sorts first: the integration failing 30% of its calls comes before the healthy one.
  const order = await page
    .locator('[data-testid^="integration-dash-"]')
    .evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-testid')));
  expect(order).toEqual(['integration-dash-shaky', 'integration-dash-steady']);

  await page.getByRole('searchbox', { name: 'Filter integrations' }).fill('steady');
  await expect(page.getByTestId('integration-dash-shaky')).toBeHidden();
  await expect(page.getByTestId('integration-dash-steady')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Filter integrations' }).fill('');
  await page.screenshot({ path: testInfo.outputPath('overview.png'), fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  await page.screenshot({ path: testInfo.outputPath('overview-phone.png'), fullPage: true });
});

test('a failing upstream turns its tile red and its breaker timeline shows OPEN', async ({ page }, testInfo) => {
  const consecutiveFailures = 3;
  await signIn(page);
  const integration = await createIntegration(page, 'dash-flaky', {
    retry: { maxRetries: 0 },
    cache: { enabled: false },
    breaker: { consecutiveFailures, openMs: 120_000 },
  });
  const token = await newToken(page, 'e2e breaker');
  const call = (i: number) =>
    page.request.get(`/api/gw/dash-flaky/v1/orders/${i}`, { headers: { authorization: `Bearer ${token}` } });
  for (let i = 0; i < 3; i++) expect((await call(i)).status()).toBe(200);
  const tile = page.getByTestId('integration-dash-flaky');
  await expect(tile).toHaveAttribute('data-health', 'ok');

  await setFault({ route: '/dash-flaky/*', mode: 'fail', failStatus: 503 });
  for (let i = 0; i < consecutiveFailures + 2; i++) expect((await call(100 + i)).status()).toBe(503);
  await setFault({ route: '/dash-flaky/*', mode: 'ok' });

  // The breaker opened after exactly the configured number of failures: the calls after it never left.
  // (Successes are only sampled into the call log, so the failures are what is compared.)
  await expect
    .poll(async () =>
      (
        await db.callLog.findMany({
          where: { integrationId: integration.id, outcome: { not: 'success' } },
          orderBy: { startedAt: 'asc' },
        })
      ).map((c) => c.outcome),
    )
    .toEqual([...Array(consecutiveFailures).fill('server_error'), 'circuit_open', 'circuit_open']);

  await expect(tile).toHaveAttribute('data-health', 'bad');
  await expect(tile).toHaveCSS('border-left-color', 'rgb(248, 81, 73)');
  // The badge counts how long it has been open and when it probes next, without a hover.
  await expect(tile.getByTestId('breaker-state')).toHaveText(/^OPEN \d+ s, next probe in \dm\d\ds$/);
  await page.screenshot({ path: testInfo.outputPath('overview-failing.png'), fullPage: true });

  await tile.getByRole('link', { name: 'E2E dash-flaky' }).click();
  const timeline = page.getByTestId('breaker-timeline');
  await expect(timeline.getByRole('table', { name: 'Breaker transitions' })).toContainText('OPEN');
  await expect(timeline).toContainText(`${consecutiveFailures} consecutive failures`);
  await expect(page.getByTestId('live-breaker-state')).toHaveText('OPEN');
  await expect(page.getByRole('region', { name: 'Latency' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('integration.png'), fullPage: true });

  // A manual reset, from the breaker menu and confirmed in a dialog, closes it and the timeline records it.
  await page.locator('summary', { hasText: 'Breaker actions' }).click();
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('dialog', { name: 'Reset the breaker?' }).getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByTestId('live-breaker-state')).toHaveText('CLOSED');
  await expect(timeline).toContainText('reset manually');
  expect((await call(200)).status()).toBe(200);

  // Compare overlays the previous period; dragging across a chart zooms every chart into that range.
  await page.getByLabel('Compare with the previous period').check();
  await expect(page.getByRole('region', { name: 'Error rate' })).toContainText('previous period');
  // The drag happens where the chart is on screen: bring it into view first (the page is taller than the window).
  const latency = page.getByRole('region', { name: 'Latency' }).getByRole('application');
  await latency.scrollIntoViewIfNeeded();
  const plot = await latency.boundingBox();
  await page.mouse.move(plot!.x + plot!.width * 0.3, plot!.y + plot!.height / 2);
  await page.mouse.down();
  await page.mouse.move(plot!.x + plot!.width * 0.9, plot!.y + plot!.height / 2, { steps: 8 });
  await page.mouse.up();
  await expect(page.getByRole('button', { name: 'Custom' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('button', { name: '1h' })).toHaveAttribute('aria-pressed', 'false');
});

test('an integration is created and edited through the form; bad input names its field and saves nothing', async ({
  page,
}, testInfo) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'New integration' }).click();
  const form = page.getByRole('form', { name: 'New integration' });
  await form.getByLabel('Name', { exact: true }).fill('E2E Form CRM');
  await form.getByLabel('Slug').fill('dash-form');
  await form.getByLabel('Base URL').fill('not a url');
  await form.getByText('Retry', { exact: true }).click();
  await expect(form.getByLabel('Max retries')).toHaveValue('3');
  await form.getByLabel('Max retries').fill('99');
  await form.getByRole('button', { name: 'Create integration' }).click();

  await expect(form.getByLabel('Base URL')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Base URL')).toHaveAccessibleDescription(/must be an absolute http\(s\) URL/);
  await expect(form.getByLabel('Max retries')).toHaveAccessibleDescription(/too big/i);
  await page.screenshot({ path: testInfo.outputPath('settings-new-errors.png'), fullPage: true });
  expect(await db.integration.count({ where: { slug: 'dash-form' } })).toBe(0);

  await form.getByLabel('Base URL').fill(`${E2E.upstreamURL}/crm`);
  await form.getByLabel('Max retries').fill('2');
  await form.getByRole('button', { name: 'Create integration' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Created E2E Form CRM' })).toBeVisible();
  const created = await db.integration.findUniqueOrThrow({
    where: { workspaceId_slug: { workspaceId: 'default', slug: 'dash-form' } },
  });
  expect(JSON.parse(created.policy).retry.maxRetries).toBe(2);
  expect(JSON.parse(created.policy).breaker.consecutiveFailures).toBe(5);

  const edit = page.getByRole('form', { name: 'Edit integration' });
  await edit.getByLabel('Name', { exact: true }).fill('E2E Form CRM (EU)');
  await edit.getByText('Breaker', { exact: true }).click();
  await edit.getByLabel('Consecutive failures').fill('0');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByLabel('Consecutive failures')).toHaveAccessibleDescription(/too small/i);
  expect(
    (
      await db.integration.findUniqueOrThrow({
        where: { workspaceId_slug: { workspaceId: 'default', slug: 'dash-form' } },
      })
    ).name,
  ).toBe('E2E Form CRM');

  await edit.getByLabel('Consecutive failures').fill('7');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByRole('status')).toContainText('Saved');
  const edited = await db.integration.findUniqueOrThrow({
    where: { workspaceId_slug: { workspaceId: 'default', slug: 'dash-form' } },
  });
  expect(edited.name).toBe('E2E Form CRM (EU)');
  expect(JSON.parse(edited.policy).breaker.consecutiveFailures).toBe(7);
  expect(JSON.parse(edited.policy).retry.maxRetries).toBe(2);
  await page.screenshot({ path: testInfo.outputPath('settings-edit.png'), fullPage: true });

  await page.getByRole('link', { name: '← Integration settings' }).click();
  await expect(page.getByTestId('settings-dash-form')).toContainText('E2E Form CRM (EU)');
  await expect(page.getByTestId('settings-dash-form')).toContainText('7 failures');
  await page.screenshot({ path: testInfo.outputPath('settings.png'), fullPage: true });
});

test('the explorer finds a call by its request id and shows every attempt', async ({ page }, testInfo) => {
  await signIn(page);
  await createIntegration(page, 'dash-retry', {
    retry: { maxRetries: 2, initialDelayMs: 20, jitter: false },
    cache: { enabled: false },
  });
  const token = await newToken(page, 'e2e explorer');
  await setFault({ route: '/dash-retry/*', mode: 'fail', failStatus: 503 });
  const response = await page.request.post('/api/gw/dash-retry/v1/invoices', {
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'e2e-invoice-1' },
    data: { amount: 42 },
  });
  await setFault({ route: '/dash-retry/*', mode: 'ok' });
  expect(response.status()).toBe(503);
  const requestId = response.headers()['x-request-id'];
  await expect.poll(async () => db.callLog.count({ where: { id: requestId } })).toBe(1);

  await page.getByRole('link', { name: 'Explorer' }).click();
  await expect(page.getByRole('table', { name: 'Calls' })).toBeVisible();
  await page.getByLabel('Request id').fill(requestId);
  await page.getByRole('button', { name: 'Search' }).click();
  const rows = page.getByRole('table', { name: 'Calls' }).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('server error');
  await page.screenshot({ path: testInfo.outputPath('explorer.png'), fullPage: true });

  await rows.first().getByRole('link', { name: requestId }).click();
  await expect(page.getByTestId('request-id')).toHaveText(requestId);
  const attempts = page.getByRole('table', { name: 'Attempts' }).locator('tbody tr');
  await expect(attempts).toHaveCount(3);
  for (let i = 0; i < 3; i++) await expect(attempts.nth(i)).toContainText('503');
  await expect(attempts.nth(1)).toContainText('backoff');
  await expect(page.getByRole('list', { name: 'Attempt waterfall' }).getByRole('listitem')).toHaveCount(3);
  await expect(page.getByText('{"amount":42}')).toBeVisible();
  await expect(page.getByText('"error":"injected failure"')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('call.png'), fullPage: true });
});
