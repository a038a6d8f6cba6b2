import { type Browser, expect, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { createMember, createWorkspace, openDb } from '../test/support/workspaces';

// Workspaces in the browser: the switcher shows one workspace at a time and the URL names it; a viewer is
// offered no control the API would refuse, and the API refuses it anyway.

async function signInAs(browser: Browser, cookie: string) {
  const context = await browser.newContext({ baseURL: E2E.baseURL, extraHTTPHeaders: { origin: E2E.baseURL } });
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, url: E2E.baseURL, httpOnly: true, sameSite: 'Lax' }]);
  return context;
}

test('the switcher shows only the chosen workspace, the URL names it, and a reload keeps it', async ({ browser }) => {
  const db = openDb(E2E.databaseUrl);
  try {
    const suffix = Date.now().toString(36);
    const other = await createWorkspace(db, `team-b-${suffix}`, `Team B ${suffix}`);
    const member = await createMember(db, 'default', 'editor', `both-${suffix}`);
    await db.membership.create({ data: { workspaceId: other.id, userId: member.userId, role: 'admin' } });
    await db.integration.create({
      data: {
        workspaceId: other.id,
        slug: `only-in-b-${suffix}`,
        name: `Only in B ${suffix}`,
        baseUrl: E2E.upstreamURL,
      },
    });

    const context = await signInAs(browser, member.cookie);
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Integrations' })).toBeVisible();
    await expect(page.getByText(`Only in B ${suffix}`)).toHaveCount(0);

    await page.getByLabel('Workspace').selectOption(other.slug);
    await expect(page).toHaveURL(new RegExp(`\\?ws=${other.slug}$`));
    await expect(page.getByText(`Only in B ${suffix}`)).toBeVisible();
    // The role in this workspace is shown, and admin-only sections appear here (admin in B, editor in default).
    await expect(page.getByRole('link', { name: 'API tokens' })).toBeVisible();

    await page.reload();
    await expect(page).toHaveURL(new RegExp(`\\?ws=${other.slug}$`));
    await expect(page.getByText(`Only in B ${suffix}`)).toBeVisible();
    // A link without a workspace opens the one last chosen; the shell's links name it.
    await page.goto('/');
    await expect(page.getByText(`Only in B ${suffix}`)).toBeVisible();
    await expect(page.getByRole('link', { name: 'Explorer' })).toHaveAttribute('href', `/explorer?ws=${other.slug}`);

    await page.getByLabel('Workspace').selectOption('default');
    await expect(page).toHaveURL(/\?ws=default$/);
    await expect(page.getByText(`Only in B ${suffix}`)).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'API tokens' })).toHaveCount(0);
    // A workspace the user is not in cannot be opened by URL.
    // (Pages stream under the app's loading boundary, so Next sends its not-found page with status 200.)
    const stranger = await createWorkspace(db, `team-c-${suffix}`);
    await page.goto(`/?ws=${stranger.slug}`);
    await expect(page.getByText(/not found|could not be found/i).first()).toBeVisible();
    await expect(page.getByText(`Only in B ${suffix}`)).toHaveCount(0);
    await context.close();
  } finally {
    await db.$disconnect();
  }
});

test('a viewer sees no edit controls, and the API refuses the write anyway', async ({ browser }, testInfo) => {
  const db = openDb(E2E.databaseUrl);
  try {
    const suffix = Date.now().toString(36);
    const viewer = await createMember(db, 'default', 'viewer', `viewer-${suffix}`);
    const context = await signInAs(browser, viewer.cookie);
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Integrations' })).toBeVisible();
    await expect(page.locator('.role-badge')).toHaveText('viewer');
    for (const section of ['Settings', 'API tokens', 'Members', 'Audit log'])
      await expect(page.getByRole('link', { name: section, exact: true })).toHaveCount(0);
    await expect(page.getByRole('link', { name: /new integration/i })).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('viewer-overview.png'), fullPage: true });

    // What the page would send, from the page itself: refused with 403 and nothing created.
    const answer = await page.evaluate(async () => {
      const response = await fetch('/api/integrations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Sneaky', slug: 'sneaky', baseUrl: 'http://127.0.0.1:1/' }),
      });
      return { status: response.status, body: await response.json() };
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatch(/editor role/);
    expect(await db.integration.count({ where: { slug: 'sneaky' } })).toBe(0);
    // The edit pages need the editor role: a viewer asking by URL gets the not-found page, not a form.
    await page.goto('/settings/integrations/new');
    await expect(page.getByRole('heading', { name: /not found/i })).toBeVisible();
    await expect(page.getByRole('button', { name: /create|save/i })).toHaveCount(0);
    await context.close();
  } finally {
    await db.$disconnect();
  }
});
