import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { expect, request, test } from '@playwright/test';
import { createDb } from '@/lib/db';
import { E2E } from '../playwright.config';
import { newToken, signIn } from './support';

// Trust boundaries as an attacker meets them in a real browser: every page, fetched with a garbage cookie or
// a made-up bearer token, is a redirect to sign-in with none of the page's data in it; pages carry a CSP
// that the app itself never violates; a cross-origin cookie write is refused; and `next` cannot send the
// browser to another site after sign-in.

const run = randomUUID().slice(0, 8);
const SLUG = `sec-${run}`;
/** Data planted where the pages show it; none of it may leave without a valid session. */
const MARKERS = {
  baseUrl: `secmarker-baseurl-${run}`,
  callHeader: `secmarker-callheader-${run}`,
  callBody: `secmarker-callbody-${run}`,
  webhookBody: `secmarker-webhookbody-${run}`,
  webhookSignature: `secmarker-signature-${run}`,
  syncPath: `secmarker-syncpath-${run}`,
};

/** Every page route under app/(app), as a URL pattern such as `/integrations/[slug]`. */
function pageRoutes(): string[] {
  const root = join(import.meta.dirname, '..', 'app', '(app)');
  const routes: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name === 'page.tsx')
        routes.push(`/${relative(root, dir).split(sep).join('/')}`.replace(/\/$/, ''));
    }
  };
  walk(root);
  return routes.map((route) => route || '/');
}

/** Fills each dynamic segment with a real id or slug planted first; an unknown segment fails the test. */
function concrete(route: string, ids: Record<string, string>): string {
  return route.replace(/\/\[(\w+)\]/g, (_, name: string, offset: number) => {
    const key = `${route.slice(0, offset)}/[${name}]`;
    const value = ids[key];
    if (!value) throw new Error(`no planted value for ${key}: plant one for this new page`);
    return `/${encodeURIComponent(value)}`;
  });
}

test('signed out, no page gives away its data; pages carry a CSP the app never violates', async ({ page }) => {
  test.setTimeout(180_000);
  const db = createDb(E2E.databaseUrl);
  try {
    await signIn(page);
    const integration = await page.request.post('/api/integrations', {
      data: {
        name: `Security ${run}`,
        slug: SLUG,
        baseUrl: `${E2E.upstreamURL}/${MARKERS.baseUrl}`,
        policy: { retry: { maxRetries: 0 }, cache: { enabled: false }, rateLimit: { enabled: false } },
      },
    });
    expect(integration.status()).toBe(201);
    const caller = await request.newContext({
      baseURL: E2E.baseURL,
      extraHTTPHeaders: { authorization: `Bearer ${await newToken(page, `security ${run}`)}` },
    });
    await caller.post(`/api/gw/${SLUG}/orders`, {
      headers: { 'x-order-note': MARKERS.callHeader },
      data: { note: MARKERS.callBody },
    });
    await caller.dispose();
    let call = '';
    await expect
      .poll(async () => {
        call = (await (await page.request.get(`/api/calls?integration=${SLUG}`)).json()).calls[0]?.id ?? '';
        return call;
      })
      .not.toBe('');

    const job = await page.request.post('/api/jobs', { data: { integration: SLUG, method: 'GET', path: '/job' } });
    expect(job.status()).toBe(202);
    const sync = await page.request.post('/api/syncs', {
      data: { slug: `sec-sync-${run}`, integration: SLUG, path: `/${MARKERS.syncPath}`, enabled: false },
    });
    expect(sync.status()).toBe(201);
    const source = await page.request.post('/api/webhook-sources', {
      data: {
        name: `Security hooks ${run}`,
        slug: `sec-hooks-${run}`,
        integration: SLUG,
        scheme: 'standard',
        secretEnv: 'BREAKWATER_SECRET_E2E_SECURITY_HOOKS',
      },
    });
    expect(source.status()).toBe(201);
    // A received delivery, as the inbound route stores one (its signature header is shown on its page).
    const event = await db.webhookEvent.create({
      data: {
        id: `evt-${run}`,
        sourceId: (await source.json()).source.id,
        dedupKey: `msg-${run}`,
        headers: JSON.stringify({ 'webhook-signature': `v1,${MARKERS.webhookSignature}` }),
        body: Buffer.from(JSON.stringify({ type: 'payment.succeeded', note: MARKERS.webhookBody })),
        receivedAt: new Date(),
      },
    });
    const rules = (await (await page.request.get('/api/alerts/rules')).json()).rules;
    const ids: Record<string, string> = {
      '/integrations/[slug]': SLUG,
      '/settings/integrations/[slug]': SLUG,
      '/explorer/[id]': call,
      '/jobs/[id]': (await job.json()).id,
      '/syncs/[slug]': `sec-sync-${run}`,
      '/webhooks/events/[id]': event.id,
      '/alerts/[id]': rules[0].id,
    };
    const urls = pageRoutes().map((route) => concrete(route, ids));
    expect(urls.length).toBeGreaterThanOrEqual(20);

    // Signed in, the planted data is on its pages: the signed-out checks below look for something real.
    const shown = new Map<string, string>();
    for (const url of urls) shown.set(url, await (await page.request.get(url)).text());
    const everything = [...shown.values()].join('\n');
    for (const [what, marker] of Object.entries(MARKERS)) expect(everything, what).toContain(marker);

    // Signed out: a garbage session cookie (either name) or a made-up bearer token gets a redirect, and no data.
    const stranger = await request.newContext({ baseURL: E2E.baseURL });
    const forgeries: Record<string, string>[] = [
      { cookie: 'bw_session=garbage' },
      { cookie: '__Host-bw_session=garbage' },
      { authorization: 'Bearer x' },
    ];
    for (const url of urls) {
      for (const headers of forgeries) {
        const response = await stranger.get(url, { headers, maxRedirects: 0 });
        const what = `${url} with ${JSON.stringify(headers)}`;
        expect(response.status(), what).toBe(307);
        expect(new URL(response.headers().location, E2E.baseURL).pathname, what).toBe('/login');
        const body = await response.text();
        for (const marker of [...Object.values(MARKERS), `Security ${run}`]) expect(body, what).not.toContain(marker);
      }
    }
    await stranger.dispose();

    // Every page under the CSP, in the browser: no violation reported, and the security headers are there.
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) violations.push(message.text());
    });
    for (const url of urls) {
      const response = await page.goto(url);
      const headers = response!.headers();
      expect(headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options'], url).toBe('DENY');
      expect(headers['x-content-type-options'], url).toBe('nosniff');
      expect(headers['referrer-policy'], url).toBe('strict-origin-when-cross-origin');
      await page.waitForLoadState('networkidle');
      await expect(page.getByRole('navigation', { name: 'Main' }), url).toBeVisible();
    }
    expect(violations).toEqual([]);
  } finally {
    // Other specs share the database and count syncs and sources from empty.
    await page.request.delete(`/api/syncs/sec-sync-${run}`);
    await page.request.delete(`/api/webhook-sources/sec-hooks-${run}`);
    await page.request.delete(`/api/integrations/${SLUG}`);
    await db.$disconnect();
  }
});

test('a cookie write from another origin is refused and creates nothing', async ({ page }) => {
  await signIn(page);
  const forged = await page.request.post('/api/tokens', {
    headers: { origin: 'http://evil.example' },
    data: { name: `forged ${run}` },
  });
  expect(forged.status()).toBe(403);
  const tokens = (await (await page.request.get('/api/tokens')).json()).tokens as { name: string }[];
  expect(tokens.map((token) => token.name)).not.toContain(`forged ${run}`);
});

test('sign-in `next` pointing at another site lands on the overview instead', async ({ page }) => {
  // Nothing may leave the machine even if this failed: any request to the other site is dropped here.
  await page.route(
    (url) => url.hostname.endsWith('evil.example'),
    (route) => route.abort(),
  );
  for (const next of ['/%5Cevil.example/', '/%09/evil.example', '//evil.example/']) {
    await page.context().clearCookies();
    await page.goto(`/login?next=${next}`);
    await page.getByLabel('Password').fill(E2E.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Integrations' })).toBeVisible({ timeout: 20_000 });
    expect(new URL(page.url()).origin, next).toBe(E2E.baseURL);
    expect(new URL(page.url()).pathname, next).toBe('/');
  }
  await page.context().clearCookies();
  await page.goto('/login?next=/tokens');
  await page.getByLabel('Password').fill(E2E.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible({ timeout: 20_000 });
});
