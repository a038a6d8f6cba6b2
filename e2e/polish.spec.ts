import { execFileSync } from 'node:child_process';
import { expect as baseExpect, type Page, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { clearFaults, newToken, setFault, signIn } from './support';

// The finish a user notices: a real 404, a theme that follows the system and can be chosen, a skip link,
// a new token ready to paste, a chart zoom kept in the address, whole explorer rows to click.

test.describe.configure({ timeout: 120_000 });
const expect = baseExpect.configure({ timeout: 20_000 });

async function createIntegration(page: Page, slug: string) {
  const response = await page.request.post('/api/integrations', {
    data: {
      name: `E2E ${slug}`,
      slug,
      baseUrl: `${E2E.upstreamURL}/${slug}`,
      policy: { retry: { maxRetries: 0 }, cache: { enabled: false }, rateLimit: { enabled: false } },
    },
  });
  expect(response.status()).toBe(201);
}

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const DARK = 'rgb(15, 18, 22)';
const LIGHT = 'rgb(246, 248, 250)';

test('a missing integration and an unknown address answer HTTP 404 with the branded page', async ({ page }) => {
  await signIn(page);
  await createIntegration(page, 'polish-present');
  const present = await page.goto('/integrations/polish-present');
  expect(present?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1, name: 'E2E polish-present' })).toBeVisible();

  for (const path of ['/integrations/polish-absent', '/no-such-page']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
    await expect(page.getByText('Breakwater · 404')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Back to the overview' })).toBeVisible();
  }
  await page.getByRole('link', { name: 'Back to the overview' }).click();
  await expect(page.getByRole('heading', { name: 'Integrations' })).toBeVisible();
  const icon = await page.request.get('/icon.svg');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toContain('image/svg+xml');
});

test('the theme follows the system until one is chosen, and the choice is remembered', async ({ page }, testInfo) => {
  await signIn(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(() => background(page)).toBe(LIGHT);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(() => background(page)).toBe(DARK);

  const theme = page.getByRole('banner').getByLabel('Theme');
  await expect(theme).toHaveValue('system');
  await theme.selectOption('light');
  await expect.poll(() => background(page)).toBe(LIGHT);
  await page.screenshot({ path: testInfo.outputPath('overview-light.png'), fullPage: true });
  await page.reload();
  // Rendered light by the server, with the system still asking for dark.
  await expect(theme).toHaveValue('light');
  expect(await background(page)).toBe(LIGHT);

  await theme.selectOption('system');
  await expect.poll(() => background(page)).toBe(DARK);
  await page.reload();
  await expect(theme).toHaveValue('system');
  expect(await background(page)).toBe(DARK);
});

test('the first Tab reaches a skip link that moves focus past the navigation', async ({ page }) => {
  await signIn(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();
  await page.keyboard.press('Tab');
  // The next stop is inside the page, not the top bar's links.
  expect(await page.evaluate(() => document.activeElement?.closest('header') === null)).toBe(true);
});

test('a new token is copied with one click, and its curl line runs as pasted', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: E2E.baseURL });
  await signIn(page);
  await createIntegration(page, 'polish-curl');
  // One GET in the call log: the curl line offers its path.
  const earlier = await newToken(page, 'polish earlier');
  const ping = await page.request.get('/api/gw/polish-curl/v1/ping', {
    headers: { authorization: `Bearer ${earlier}` },
  });
  expect(ping.status()).toBe(200);
  await expect
    .poll(async () => (await (await page.request.get('/api/calls?integration=polish-curl')).json()).calls.length)
    .toBe(1);
  await page.goto('/tokens');
  const form = page.getByRole('form', { name: 'Create an API token' });
  await form.getByLabel('Token name').fill('polish copy');
  await form.getByLabel(/Integrations/).fill('polish-curl');
  await form.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent()) ?? '';
  expect(token).toMatch(/^bw_/);

  await page.getByRole('button', { name: 'Copy token' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

  await expect(page.getByTestId('new-token-curl')).toContainText('/api/gw/polish-curl/v1/ping');
  await page.getByRole('button', { name: 'Copy curl line' }).click();
  const curl = await page.evaluate(() => navigator.clipboard.readText());
  expect(curl).toBe(`curl -i -H 'Authorization: Bearer ${token}' '${E2E.baseURL}/api/gw/polish-curl/v1/ping'`);
  // Run exactly what was copied (its two quoted arguments), through the real curl.
  const args = [...curl.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  const output = execFileSync('curl', ['-s', '-i', '-H', args[0], args[1]], { encoding: 'utf8' });
  expect(output).toMatch(/^HTTP\/1\.1 200/);
  expect(output.toLowerCase()).toContain('x-request-id:');
});

test('a zoom dragged on a chart is kept in the address, below 15 minutes too', async ({ page }) => {
  await signIn(page);
  await createIntegration(page, 'polish-zoom');
  const token = await newToken(page, 'polish zoom');
  for (let i = 0; i < 5; i++)
    expect(
      (
        await page.request.get(`/api/gw/polish-zoom/v1/items/${i}`, { headers: { authorization: `Bearer ${token}` } })
      ).status(),
    ).toBe(200);

  await page.goto('/integrations/polish-zoom');
  await page.getByRole('button', { name: '15m', exact: true }).click();
  await expect(page).toHaveURL(/[?&]range=15m/);
  const chart = page.getByRole('img', { name: /^Latency chart/ });
  await expect(chart.locator('.recharts-line')).not.toHaveCount(0);
  await expect(chart).toContainText(/time \(\S+\)/);
  await expect(chart).toContainText('latency');

  await chart.scrollIntoViewIfNeeded();
  const box = (await chart.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, y, { steps: 8 });
  await page.mouse.move(box.x + box.width * 0.7, y, { steps: 8 });
  await page.mouse.up();
  await expect(page).toHaveURL(/[?&]from=[^&]+&to=/);
  const url = new URL(page.url());
  const span = Date.parse(url.searchParams.get('to')!) - Date.parse(url.searchParams.get('from')!);
  expect(span).toBeGreaterThan(0);
  expect(span).toBeLessThan(15 * 60_000);

  // The address is the view: opened afresh, it shows the same fixed range, not the live one.
  await page.goto(url.pathname + url.search);
  await expect(page.getByRole('button', { name: 'Custom' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText(/^Live ·/)).toBeHidden();
  await expect(
    page.getByText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ – \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$/),
  ).toBeVisible();
  // The calls were made at the window's right edge, outside the dragged part: Latency is drawn, or (no call in
  // the zoomed range) collapsed to its one-line note.
  await expect(
    page.getByRole('img', { name: /^Latency chart/ }).or(page.getByRole('region', { name: 'Latency' })),
  ).toBeVisible();
});

test('at 1024 px a click anywhere on an explorer row opens that call', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page);
  await createIntegration(page, 'polish-rows');
  const token = await newToken(page, 'polish rows');
  await setFault({ route: '/polish-rows/*', mode: 'fail', failStatus: 500 });
  const failed = await page.request.get('/api/gw/polish-rows/v1/broken', {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(failed.status()).toBe(500);
  const id = failed.headers()['x-request-id'];
  await clearFaults();
  await expect
    .poll(async () => (await (await page.request.get('/api/calls?integration=polish-rows')).json()).calls.length)
    .toBe(1);

  await page.goto('/explorer?integration=polish-rows');
  const row = page.getByRole('table', { name: 'Calls' }).locator('tbody tr').filter({ hasText: id });
  await expect(row).toHaveCount(1);
  // The integration's full name is there on hover, however narrow the column.
  await expect(row.getByRole('cell', { name: 'E2E polish-rows' })).toHaveAttribute('title', 'E2E polish-rows');
  // A real click where the status is drawn: the request id's link lies over the whole row and takes it.
  const status = (await row.getByRole('cell', { name: '500', exact: true }).boundingBox())!;
  await page.mouse.click(status.x + status.width / 2, status.y + status.height / 2);
  await expect(page).toHaveURL(new RegExp(`/explorer/${id}$`));
  await expect(page.getByTestId('request-id')).toHaveText(id);
});
