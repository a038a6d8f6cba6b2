import { expect, test } from '@playwright/test';
import { signIn } from './support';

// The Instances page as an operator meets it from the navigation: the running server listed, heartbeating.
test('the Instances page lists the running instance as running, with its version', async ({ page }, testInfo) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Instances' }).click();
  await expect(page.getByRole('heading', { name: 'Instances' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Instances' });
  const running = table.getByRole('row').filter({ hasText: 'running' });
  await expect(running).toHaveCount(1);
  await expect(running).toContainText('0.1.0');
  await expect(running).toContainText('not degraded');
  await page.screenshot({ path: testInfo.outputPath('instances.png'), fullPage: true });
});
