import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, request, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { signIn } from './support';

// An alert as an engineer meets it: a rule made in the form, an upstream that starts failing, a signed
// webhook that says so, the UI showing firing, then recovery, a resolved webhook and the UI showing resolved.

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  receivedAtS: number;
}

/**
 * The receiver's check, written from the Standard Webhooks spec and independent of lib/alerts (neither
 * `standardwebhooks` nor `svix` is installed): the signed content is `${webhook-id}.${webhook-timestamp}.${body}`,
 * HMAC-SHA256 keyed with the base64-decoded part of the secret after `whsec_`, base64-encoded, and sent as one
 * of the space-separated `v1,<signature>` entries; timestamps more than five minutes away are rejected.
 */
function receiverVerifies(secret: string, headers: IncomingHttpHeaders, body: string, nowS: number): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(nowS - Number.parseInt(timestamp, 10)) > 300) return false;
  const key = Buffer.from(secret.split('_')[1], 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const RULE = 'E2E upstream errors';

test('a rule made in the form fires with a signed webhook when the upstream fails, and resolves when it recovers', async ({
  page,
}, testInfo) => {
  // Resolution waits for the failing minute bucket to leave the window and for the breaker to close.
  test.setTimeout(300_000);
  const received: Received[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body, receivedAtS: Math.floor(Date.now() / 1000) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/breakwater`;
  const forRule = (status: string) =>
    received.filter((r) => {
      const payload = JSON.parse(r.body);
      return payload.type === `alert.${status}` && payload.data.rule.name === RULE;
    });

  let traffic: Promise<void> | undefined;
  let stopTraffic = false;
  const caller = await request.newContext({ baseURL: E2E.baseURL });
  try {
    await signIn(page);

    const integration = await page.request.post('/api/integrations', {
      data: {
        name: 'E2E Alerts',
        slug: 'e2e-alerts',
        baseUrl: `${E2E.upstreamURL}/alerts`,
        // One attempt per call and a short breaker pause keep the error rate a plain function of the upstream.
        policy: {
          cache: { enabled: false },
          rateLimit: { enabled: false },
          retry: { maxRetries: 0 },
          breaker: { openMs: 1000 },
        },
      },
    });
    expect(integration.status()).toBe(201);
    const channel = await page.request.post('/api/alerts/channels', {
      data: {
        name: 'e2e receiver',
        kind: 'webhook',
        url: receiverUrl,
        secretEnv: 'BREAKWATER_SECRET_E2E_ALERT_WEBHOOK',
      },
    });
    expect(channel.status()).toBe(201);
    const token = (await (await page.request.post('/api/tokens', { data: { name: 'alerts e2e' } })).json()).token;

    await page.goto('/alerts/new');
    await page.getByLabel(/^Name/).fill(RULE);
    await page.getByLabel(/^Metric/).selectOption('error_rate');
    await page.getByLabel(/^Threshold/).fill('150');
    await page.getByLabel(/^Window/).fill('1m');
    await page.getByLabel(/^For \(pending/).fill('2s');
    await page.getByRole('checkbox', { name: 'E2E Alerts' }).check();
    await page.getByLabel(/^Summary/).fill('{{integration}} error rate {{value}} above {{threshold}}');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await expect(page.getByTestId('error-threshold')).toHaveText('error_rate is a percentage: between 0 and 100');
    await page.screenshot({ path: testInfo.outputPath('rule-field-error.png'), fullPage: true });
    expect(
      (await (await page.request.get('/api/alerts/rules')).json()).rules.map((r: { name: string }) => r.name),
    ).not.toContain(RULE);

    await page.getByLabel(/^Threshold/).fill('50');
    await page.getByRole('button', { name: 'Preview last 24 h' }).click();
    await expect(page.getByTestId('preview-summary')).toContainText('would have fired 0 times');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await expect(page).toHaveURL(/\/alerts(\?ws=default)?$/);
    const instance = page.getByTestId(`instance-${RULE}-e2e-alerts`);

    traffic = (async () => {
      while (!stopTraffic) {
        await caller.get('/api/gw/e2e-alerts/v1/status', { headers: { authorization: `Bearer ${token}` } });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await expect(instance.locator('[data-state]')).toHaveText('inactive', { timeout: 30_000 });

    await fetch(`${E2E.upstreamURL}/__control/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: '/alerts/*', mode: 'fail', failStatus: 503 }),
    });
    await expect.poll(() => forRule('firing').length, { timeout: 60_000 }).toBeGreaterThan(0);
    const firing = forRule('firing')[0];
    const payload = JSON.parse(firing.body);
    expect(payload.data.alerts[0]).toMatchObject({ integration: 'e2e-alerts', status: 'firing' });
    expect(payload.data.alerts[0].annotations.summary).toMatch(/^e2e-alerts error rate \d+\.\d% above 50\.0%$/);
    // The message carries the value, the threshold in units and the window, and links to look further.
    expect(payload.data.summary).toMatch(
      /^\[FIRING\] E2E upstream errors \(warning\): e2e-alerts \d+\.\d%; error rate > 50\.0% over 1m$/,
    );
    expect(payload.data.alerts[0].links.integration).toBe('/integrations/e2e-alerts');
    expect(payload.data.alerts[0].links.explorer).toMatch(/^\/explorer\?integration=e2e-alerts&from=.+&to=.+/);
    expect(receiverVerifies(E2E.alertWebhookSecret, firing.headers, firing.body, firing.receivedAtS)).toBe(true);
    // The receiver must refuse what it did not get from Breakwater as sent.
    const tampered = firing.body.replace('"firing"', '"resolved"');
    expect(receiverVerifies(E2E.alertWebhookSecret, firing.headers, tampered, firing.receivedAtS)).toBe(false);
    expect(receiverVerifies(E2E.alertWebhookSecret, firing.headers, firing.body, firing.receivedAtS + 301)).toBe(false);
    const wrongSecret = `whsec_${Buffer.from('some-other-secret-entirely').toString('base64')}`;
    expect(receiverVerifies(wrongSecret, firing.headers, firing.body, firing.receivedAtS)).toBe(false);

    await expect(instance.locator('[data-state]')).toHaveText('firing', { timeout: 15_000 });
    await page.screenshot({ path: testInfo.outputPath('alerts-firing.png'), fullPage: true });
    // Firing only: the rule stays, with its instance linking to the integration; quiet rules are left out.
    await page.getByRole('button', { name: /^Firing \(\d+\)$/ }).click();
    await expect(page).toHaveURL(/state=firing/);
    await expect(instance.getByRole('link', { name: 'e2e-alerts' })).toHaveAttribute(
      'href',
      '/integrations/e2e-alerts',
    );
    await expect(page.getByTestId('rule-Slow p99')).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('alerts-firing-only.png'), fullPage: true });
    await page.getByRole('button', { name: 'All rules' }).click();
    await expect(page.getByTestId('rule-Slow p99')).toBeVisible();

    await fetch(`${E2E.upstreamURL}/__control/faults`, { method: 'DELETE' });
    await expect.poll(() => forRule('resolved').length, { timeout: 180_000 }).toBeGreaterThan(0);
    const resolved = forRule('resolved')[0];
    expect(receiverVerifies(E2E.alertWebhookSecret, resolved.headers, resolved.body, resolved.receivedAtS)).toBe(true);
    expect(JSON.parse(resolved.body).data.alerts[0]).toMatchObject({ integration: 'e2e-alerts', status: 'resolved' });
    await expect(instance.locator('[data-state]')).toHaveText('resolved', { timeout: 15_000 });
    await expect(page.getByRole('table', { name: 'Notifications' })).toContainText(`[RESOLVED] ${RULE}`);
    await expect(page.getByRole('table', { name: 'State history' })).toContainText(RULE);
    await page.screenshot({ path: testInfo.outputPath('alerts-resolved.png'), fullPage: true });
  } finally {
    stopTraffic = true;
    await traffic;
    await caller.dispose();
    await fetch(`${E2E.upstreamURL}/__control/faults`, { method: 'DELETE' }).catch(() => undefined);
    await new Promise((resolve) => receiver.close(resolve));
  }
});
