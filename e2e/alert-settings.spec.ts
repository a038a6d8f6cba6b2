import { expect, test } from '@playwright/test';
import { signIn } from './support';

// The alert channel and silence forms: a bad submission is refused beside its field and saves nothing;
// a good one is listed at once and can be deleted.

test('channels and silences: a bad form names its field, a good one is listed, and both can be deleted', async ({
  page,
}) => {
  await signIn(page);

  await page.goto('/alerts/channels');
  const channelForm = page.getByRole('form', { name: 'New channel' });
  await channelForm.getByLabel('Name').fill('E2E ops hook');
  await channelForm.getByLabel('URL').fill('https://hooks.example/e2e');
  await channelForm.getByLabel('Variable holding the whsec_ secret').fill('not a variable');
  await channelForm.getByRole('button', { name: 'Add channel' }).click();
  await expect(page.getByTestId('error-secretEnv')).toBeVisible();
  const channels = page.getByRole('table', { name: 'Channels' });
  await expect(channels.getByText('E2E ops hook')).toHaveCount(0);
  await channelForm.getByLabel('Variable holding the whsec_ secret').fill('BREAKWATER_SECRET_E2E_OPS_HOOK');
  await channelForm.getByRole('button', { name: 'Add channel' }).click();
  await expect(page.getByTestId('error-secretEnv')).toHaveCount(0);
  const channelRow = channels.getByRole('row').filter({ hasText: 'E2E ops hook' });
  await expect(channelRow).toContainText('BREAKWATER_SECRET_E2E_OPS_HOOK');
  await channelRow.getByRole('button', { name: 'Delete' }).click();
  await expect(channels.getByText('E2E ops hook')).toHaveCount(0);

  await page.goto('/alerts/silences');
  const silenceForm = page.getByRole('form', { name: 'New silence' });
  await silenceForm.getByLabel('Comment').fill('');
  await silenceForm.getByRole('button', { name: 'Create silence' }).click();
  await expect(page.getByTestId('error-comment')).toBeVisible();
  await silenceForm.getByLabel('Comment').fill('E2E deploy window');
  await silenceForm.getByRole('button', { name: 'Create silence' }).click();
  // A silence that matches nothing in particular would silence everything: it must name what it mutes.
  await expect(page.getByTestId('error-matchers')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Silences' }).getByText('E2E deploy window')).toHaveCount(0);
  await silenceForm.getByLabel('Label matchers (name=value, comma separated)').fill('team=e2e');
  await silenceForm.getByRole('button', { name: 'Create silence' }).click();
  const silences = page.getByRole('table', { name: 'Silences' });
  const silenceRow = silences.getByRole('row').filter({ hasText: 'E2E deploy window' });
  await expect(silenceRow).toBeVisible();
  await expect(page.getByTestId('error-comment')).toHaveCount(0);
  await silenceRow.getByRole('button', { name: 'Delete' }).click();
  await expect(silences.getByText('E2E deploy window')).toHaveCount(0);
});
