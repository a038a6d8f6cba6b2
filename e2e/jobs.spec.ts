import { expect as baseExpect, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { setFault, signIn } from './support';

// Jobs as an engineer meets them: jobs enqueued against a failing upstream end up as dead letters, the
// upstream recovers, they are replayed from the dead-letter page and finish, with every attempt on the job's
// page; a permanently refused one is discarded after a confirmation. The server runs with a 300 ms backoff
// (playwright.config.ts), so "retried until dead" takes seconds.

test.describe.configure({ timeout: 180_000 });
const expect = baseExpect.configure({ timeout: 30_000 });
const SLUG = 'jobs-e2e';

test.afterAll(async () => {
  await fetch(`${E2E.upstreamURL}/__control/faults`, { method: 'DELETE' });
});

test('jobs against a failing upstream are dead-lettered, replayed from the UI once it recovers, and finish', async ({
  page,
}, testInfo) => {
  await signIn(page);
  const created = await page.request.post('/api/integrations', {
    data: {
      name: 'E2E Jobs',
      slug: SLUG,
      baseUrl: `${E2E.upstreamURL}/${SLUG}`,
      policy: { retry: { maxRetries: 0 }, cache: { enabled: false }, breaker: { dryRun: true } },
    },
  });
  expect(created.status()).toBe(201);
  await setFault({ route: `/${SLUG}/payouts/*`, mode: 'fail', failStatus: 503 });
  await setFault({ route: `/${SLUG}/refused`, mode: 'fail', failStatus: 422 });

  // One job through the form: a bad value first gets the API's message beside its field.
  await page.getByRole('link', { name: 'Jobs', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Jobs', level: 1 })).toBeVisible();
  const form = page.getByRole('form', { name: 'Enqueue a job' });
  await form.getByLabel('Integration').selectOption(SLUG);
  await form.getByLabel('Method').selectOption('POST');
  await form.getByLabel('Path').fill('/payouts/1');
  await form.getByLabel('Body').fill('{"amount": 10}');
  await form.getByLabel('Max attempts').fill('100');
  await form.getByRole('button', { name: 'Enqueue' }).click();
  await expect(form.getByTestId('error-maxAttempts')).toContainText('50');
  await form.getByLabel('Max attempts').fill('2');
  await form.getByRole('button', { name: 'Enqueue' }).click();
  await expect(form.getByRole('status')).toContainText('Queued');
  await expect(form.getByTestId('error-maxAttempts')).toBeHidden();

  // Two more through the API, and one the upstream refuses for good.
  for (const path of ['/payouts/2', '/payouts/3', '/refused']) {
    const response = await page.request.post('/api/jobs', {
      data: { integration: SLUG, method: 'PUT', path, maxAttempts: 2 },
    });
    expect(response.status()).toBe(202);
  }

  // All four end up dead: the 503s after both attempts, the 422 at once.
  await page.getByRole('link', { name: 'Dead letters', exact: true }).first().click();
  await expect(page.getByRole('heading', { name: 'Dead letters', level: 1 })).toBeVisible();
  const list = page.getByRole('table', { name: 'Dead letter list' });
  await expect(list.getByRole('row')).toHaveCount(5);
  await expect(page.getByTestId('stat-dead')).toHaveText('4');
  await expect(page.getByTestId('stat-depth')).toHaveText('0');
  await expect(list).toContainText('upstream answered 503');
  await expect(list).toContainText('upstream answered 422');
  await page.screenshot({ path: testInfo.outputPath('dead-letters.png'), fullPage: true });

  // The filter narrows the list to the payouts.
  await page.getByLabel('Path or error contains').fill('/payouts');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(list.getByRole('row')).toHaveCount(4);
  await expect(page.getByTestId('dead-letter-count')).toHaveText('3 matching');

  // The upstream recovers; two are replayed as a selection, the third on its own.
  await setFault({ route: `/${SLUG}/payouts/*`, mode: 'ok' });
  await list.getByLabel('Select POST /payouts/1').check();
  await list.getByLabel('Select PUT /payouts/2').check();
  await expect(page.getByTestId('dead-letter-count')).toHaveText('3 matching, 2 selected');
  await page.getByRole('button', { name: 'Replay selected' }).click();
  await expect(page.getByRole('status')).toHaveText('Requeued 2.');
  const third = list.getByRole('row').filter({ hasText: '/payouts/3' });
  await third.getByRole('button', { name: 'Replay' }).click();
  await expect(page.getByRole('status')).toHaveText('Requeued 1.');
  await expect(page.getByTestId('dead-letter-count')).toHaveText('0 matching');
  await expect(page.getByTestId('stat-dead')).toHaveText('1');

  // On /jobs they are done; the form's job shows its three attempts and links each to its call.
  await page.getByRole('link', { name: 'Jobs', exact: true }).click();
  const filters = page.getByRole('group', { name: 'Filter jobs' });
  await filters.getByLabel('Integration').selectOption(SLUG);
  await filters.getByLabel('State').selectOption('done');
  const jobs = page.getByRole('table', { name: 'Job list' });
  await expect(jobs.getByRole('row')).toHaveCount(4);
  await expect(jobs.getByTestId('job-state')).toHaveText(['done', 'done', 'done']);
  await page.screenshot({ path: testInfo.outputPath('jobs.png'), fullPage: true });
  await jobs.getByRole('link', { name: 'POST /payouts/1' }).click();
  await expect(page.getByTestId('job-detail-state')).toHaveText('done');
  const attempts = page.getByTestId('job-attempt');
  await expect(attempts).toHaveCount(3);
  await expect(attempts.nth(0)).toContainText('upstream answered 503');
  await expect(attempts.nth(1)).toContainText('upstream answered 503');
  await expect(attempts.nth(2)).toContainText('1 (replay)');
  await expect(attempts.nth(2)).toContainText('200');
  await expect(page.getByTestId('job-attempts')).toHaveText('1/2');
  await expect(page.getByTestId('job-result-status')).toHaveText('200');
  await expect(page.getByRole('region', { name: 'Request' })).toContainText('{"amount": 10}');
  await page.screenshot({ path: testInfo.outputPath('job.png'), fullPage: true });
  // A failed attempt is always kept in the call log: its link opens the call.
  await attempts.nth(0).getByRole('link').click();
  await expect(page.getByTestId('request-id')).toBeVisible();
  await expect(page.locator('h1')).toContainText('POST');

  // The refused job is discarded after a confirmation, and is gone from the dead letters.
  await page.goto('/dead-letters');
  const refused = list.getByRole('row').filter({ hasText: '/refused' });
  await expect(refused).toHaveCount(1);
  await refused.getByRole('button', { name: 'Discard' }).click();
  const dialog = page.getByRole('dialog', { name: 'Discard this dead letter?' });
  await dialog.getByRole('button', { name: 'Discard' }).click();
  await expect(page.getByRole('status')).toHaveText('Discarded 1.');
  await expect(refused).toHaveCount(0);
  await expect(page.getByTestId('stat-dead')).toHaveText('0');
  await expect(page.getByTestId('stat-discarded')).toHaveText('1');
  // The charts drew the dead letters from the queue samples.
  await expect(page.getByRole('region', { name: 'Dead letters and oldest dead letter' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('dead-letters-after.png'), fullPage: true });
});
