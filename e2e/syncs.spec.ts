import { expect, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { signIn } from './support';

// A polling sync as an engineer sets one up: the form refuses a bad schedule beside the field, then the
// sync reads the demo upstream's /events feed (50 events of backlog, two new ones a second) and its page
// shows items arriving, the last run and the lag; the integration's dashboard shows it too.
test('create a sync in the form, see a bad interval refused beside the field, then items arrive with last run and lag', async ({
  page,
}, testInfo) => {
  await signIn(page);
  const integration = await page.request.post('/api/integrations', {
    data: { name: 'E2E Feed', slug: 'e2e-feed', baseUrl: E2E.upstreamURL },
  });
  expect(integration.status()).toBe(201);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Syncs' }).click();
  await expect(page.getByRole('heading', { name: 'Syncs', exact: true })).toBeVisible();
  const form = page.getByRole('form', { name: 'New sync' });
  await form.getByLabel('Slug').fill('e2e-events');
  await form.getByLabel('Integration').selectOption('e2e-feed');
  await form.getByLabel('Path').fill('/events');
  await form.getByLabel('Item time at').fill('at');
  await form.getByLabel('Page size', { exact: true }).fill('20');
  await form.getByLabel('Interval (seconds)').fill('2');
  await form.getByRole('button', { name: 'Create sync' }).click();
  await expect(form.locator('#sync-intervalSeconds-error')).toHaveText('must be at least 5 seconds');
  await expect(form.getByLabel('Interval (seconds)')).toHaveAttribute('aria-invalid', 'true');
  await page.screenshot({ path: testInfo.outputPath('sync-form-error.png'), fullPage: true });
  expect((await (await page.request.get('/api/syncs')).json()).syncs).toEqual([]);

  await form.getByLabel('Interval (seconds)').fill('5');
  await form.getByRole('button', { name: 'Create sync' }).click();
  await expect(page).toHaveURL(/\/syncs\/e2e-events(\?ws=default)?$/);
  await expect(page.getByRole('heading', { name: 'e2e-events' })).toBeVisible();

  // The backlog arrives in pages of 20; the feed's cursor is the count of events read, so the checkpoint
  // and the items delivered agree exactly when nothing was skipped or stored twice.
  const delivered = page.getByTestId('items-delivered');
  await expect.poll(async () => Number(await delivered.textContent()), { timeout: 30_000 }).toBeGreaterThanOrEqual(50);
  await expect
    .poll(async () => {
      const [checkpoint, items] = await Promise.all([
        page.getByTestId('checkpoint').textContent(),
        delivered.textContent(),
      ]);
      return checkpoint === items;
    })
    .toBe(true);
  await expect(page.getByTestId('last-run').locator('time')).toBeVisible();
  await expect(page.getByTestId('lag')).toHaveText(/^\d+ s$/);
  const items = page.getByRole('table', { name: 'Recent items' });
  await expect(items.getByRole('row')).toHaveCount(21);
  await expect(items.getByRole('row').nth(1).getByRole('cell').first()).toHaveText(/^evt_\d{8}$/);
  await expect(page.getByRole('table', { name: 'Runs' }).getByText('done').first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('sync-detail.png'), fullPage: true });

  // New events keep arriving at the next runs.
  const before = Number(await delivered.textContent());
  await expect.poll(async () => Number(await delivered.textContent()), { timeout: 30_000 }).toBeGreaterThan(before);

  await page.goto('/integrations/e2e-feed');
  const panel = page.getByRole('region', { name: 'Syncs' });
  await expect(panel.getByRole('link', { name: 'e2e-events' })).toBeVisible();
  await expect(panel.locator('[data-sync="e2e-events"] .badge')).toHaveText(/ok|running/);

  await page.goto('/syncs');
  const row = page.locator('tr[data-sync="e2e-events"]');
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row.locator('.badge')).toHaveText('disabled');
  await expect(row.getByRole('button', { name: 'Run now' })).toBeDisabled();
  await page.screenshot({ path: testInfo.outputPath('sync-list.png'), fullPage: true });
});
