import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { signIn } from './support';

// Members and the audit log in a real browser: an invitation link created on the Members page is accepted
// in a second, signed-out browser context, which lands signed in; the admin's audit page then shows it.

test('an invitation accepted in a second browser, and the audit page showing it a moment later', async ({
  page,
  browser,
}) => {
  const run = randomUUID().slice(0, 8);
  await signIn(page);
  await page.goto('/members');
  await expect(page.getByRole('heading', { name: /Members of/ })).toBeVisible();
  const form = page.getByRole('form', { name: 'Invite a member' });
  await form.getByLabel('Role').selectOption('operator');
  await form.getByRole('button', { name: 'Create invitation link' }).click();
  const link = (await page.getByTestId('invite-link').textContent())!.trim();
  expect(link).toMatch(/\/invite\/bwi_/);

  const other = await browser.newContext();
  try {
    const guest = await other.newPage();
    await guest.goto(link);
    await expect(guest.getByRole('heading', { name: /Join/ })).toBeVisible();
    await expect(guest.getByText('operator', { exact: true })).toBeVisible();
    await guest.getByLabel('Username').fill(`guest-${run}`);
    await guest.getByLabel(/Password/).fill('a-long-enough-password');
    await guest.getByRole('button', { name: 'Accept invitation' }).click();
    // Signed in at once: the app's shell shows the new user's name.
    await expect(guest.getByText(`guest-${run}`)).toBeVisible({ timeout: 20_000 });

    // The link worked once.
    const again = await other.newPage();
    await other.clearCookies();
    await again.goto(link);
    await expect(again.getByText('this invitation has already been used')).toBeVisible();
  } finally {
    await other.close();
  }

  await page.goto('/audit');
  await expect(page.getByRole('heading', { name: /Audit log of/ })).toBeVisible();
  const log = page.getByRole('table', { name: 'Audit log' });
  await expect(
    log
      .getByRole('row')
      .filter({ hasText: 'member.join' })
      .filter({ hasText: `guest-${run}` }),
  ).toBeVisible();
  await expect(log.getByRole('row').filter({ hasText: 'member.invite' }).first()).toBeVisible();

  await page.getByLabel('Action').fill('member.join');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(log.getByRole('row').filter({ hasText: 'member.invite' })).toHaveCount(0);
  await expect(log.getByRole('row').filter({ hasText: `guest-${run}` })).toBeVisible();
});
