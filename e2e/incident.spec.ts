import { expect as baseExpect, type Page, test } from '@playwright/test';
import { startTraffic, type Traffic } from '@/demo/traffic';
import { E2E } from '../playwright.config';
import { clearFaults, newToken, setFault, signIn } from './support';

// The outage of issue 18, replayed as an on-call engineer meets it: one integration's upstream answers
// every request with a 500. The screens must tell what is happening now: the tile red with upstream success
// 0 % and short circuits rising, the explorer and the Issues view finding the failed calls, a cached GET
// still served, and the tile green again within 90 s of the fault's removal. The overview and the
// integration page are kept as screenshots before, during and after (test-results/incident/).

// The health window is a minute: the phases wait for what a user would see, never for a fixed time.
test.describe.configure({ timeout: 480_000 });
const expect = baseExpect.configure({ timeout: 20_000 });

const SHOTS = 'test-results/incident';
const CRM = 'inc-crm';
const GEO = 'inc-geo';

async function createIntegration(page: Page, slug: string, policy: object) {
  const response = await page.request.post('/api/integrations', {
    data: { name: `Incident ${slug}`, slug, baseUrl: `${E2E.upstreamURL}/${slug}`, policy },
  });
  expect(response.status()).toBe(201);
}

async function shoot(page: Page, phase: string) {
  await page.goto('/');
  await expect(page.getByTestId(`integration-${CRM}`)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/overview-${phase}.png`, fullPage: true });
  await page.goto(`/integrations/${CRM}`);
  await expect(page.getByTestId('kpi-strip')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Latency' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/integration-${phase}.png`, fullPage: true });
  await page.goto('/');
}

const count = async (page: Page, testId: string) =>
  Number((await page.getByTestId(`integration-${CRM}`).getByTestId(testId).textContent()) ?? Number.NaN);

test('a total outage of one integration, as the screens tell it', async ({ page }) => {
  await signIn(page);
  // Items are never cached (each call reaches the upstream); contacts are, for as long as the test runs.
  // Limits well above the traffic: what fails here is the upstream, never the limiter.
  const rateLimit = { perMinute: 6000, burst: 1000 };
  await createIntegration(page, CRM, {
    rateLimit,
    retry: { maxRetries: 0 },
    breaker: { mode: 'consecutive', consecutiveFailures: 5, openMs: 5000 },
    cache: { neverCacheRoutes: ['/v1/items/*'] },
  });
  await createIntegration(page, GEO, { rateLimit, cache: { enabled: false } });
  const token = await newToken(page, 'e2e incident');
  const gw = (path: string) =>
    page.request.get(`/api/gw/${CRM}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const traffic = (slug: string): Traffic =>
    startTraffic({
      baseUrl: E2E.baseURL,
      token,
      ratePerSec: 6,
      seed: 18,
      integrations: [{ slug, routes: [{ method: 'GET', path: '/v1/items/:id' }] }],
    });

  // A GET the cache keeps, read once before anything else (its attempt ages out with the quiet minute).
  await setFault({ route: `/${CRM}/v1/contacts/*`, mode: 'ok', cacheControl: 'max-age=3600' });
  const cached = await gw('/v1/contacts/42');
  expect(cached.status()).toBe(200);
  const cachedBody = await cached.text();

  // Before: both integrations green under steady traffic.
  const geoTraffic = traffic(GEO);
  let crmTraffic = traffic(CRM);
  const crm = page.getByTestId(`integration-${CRM}`);
  await expect(crm).toHaveAttribute('data-health', 'ok');
  await expect(page.getByTestId(`integration-${GEO}`)).toHaveAttribute('data-health', 'ok');
  await expect(crm.getByTestId('upstream-success')).toHaveText('100.0%');
  await shoot(page, 'before');

  // A quiet minute for crm, so its last minute holds only what the outage does.
  await crmTraffic.stop();
  await expect(crm.getByTestId('upstream-success')).toHaveText('–', { timeout: 180_000 });

  // During: every crm request answers 500.
  await setFault({ route: `/${CRM}/*`, mode: 'fail', failStatus: 500 });
  crmTraffic = traffic(CRM);
  await expect(crm).toHaveAttribute('data-health', 'bad');
  await expect(crm.getByTestId('upstream-success')).toHaveText('0.0%');
  await expect(crm.getByTestId('breaker-state')).toHaveText(/^(OPEN|HALF-OPEN)/);
  const shortCircuits = await count(page, 'short-circuits');
  await expect.poll(() => count(page, 'short-circuits')).toBeGreaterThan(shortCircuits);
  await expect(page.getByTestId(`integration-${GEO}`)).toHaveAttribute('data-health', 'ok');

  // The cache sits before the breaker: the cached GET is still served, from the cache.
  const duringOutage = await gw('/v1/contacts/42');
  expect(duringOutage.status()).toBe(200);
  expect(duringOutage.headers()['x-breakwater-cache']).toBe('hit');
  expect(await duringOutage.text()).toBe(cachedBody);

  // The integration page leads with what is happening now.
  await page.goto(`/integrations/${CRM}`);
  const strip = page.getByTestId('kpi-strip');
  await expect(strip.getByTestId('kpi-upstream-errors')).toHaveText('100.0%');
  await expect(strip.getByTestId('kpi-breaker')).toContainText(/OPEN/);
  await page.goto('/');
  await shoot(page, 'during');

  // The explorer's "any attempt 5xx" filter finds the calls the upstream failed (short-circuits sent no
  // attempt), and the Issues view groups the short-circuits in one line saying what opened the breaker.
  await page.goto(`/explorer?integration=${CRM}&attempt=5xx`);
  const rows = page.getByRole('table', { name: 'Calls' }).locator('tbody tr');
  await expect(rows.first()).toContainText('server error');
  await expect(rows.filter({ hasText: 'circuit open' })).toHaveCount(0);
  await page.goto(`/explorer/issues?integration=${CRM}`);
  const issues = page.getByRole('table', { name: 'Issues' }).getByRole('row');
  const shortCircuited = issues.filter({ hasText: 'circuit open' }).filter({ hasText: `Incident ${CRM}` });
  await expect(shortCircuited).toHaveCount(1);
  // The latest opening: the first after 5 consecutive 500s, each later one after a failed probe.
  await expect(shortCircuited).toContainText(/after (5 consecutive failures|probe failed) \(last attempt: HTTP 500\)/);
  await page.screenshot({ path: `${SHOTS}/issues-during.png`, fullPage: true });
  await page.goto('/');

  // After: the fault removed, the breaker's next probe succeeds and the tile is green within 90 s.
  await clearFaults();
  await expect(crm).toHaveAttribute('data-health', 'ok', { timeout: 90_000 });
  await expect(crm.getByTestId('breaker-state')).toHaveText('CLOSED');
  await expect(crm.getByTestId('recent-error-rate')).toHaveText('0.0%');
  await shoot(page, 'after');
  await Promise.all([crmTraffic.stop(), geoTraffic.stop()]);
});
