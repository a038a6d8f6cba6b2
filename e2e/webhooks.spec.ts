import { randomUUID } from 'node:crypto';
import { type APIRequestContext, expect, request, test } from '@playwright/test';
import { Webhook } from 'standardwebhooks';
import { E2E } from '../playwright.config';
import { setFault, signIn, upstreamControl } from './support';

// Inbound webhooks as an engineer meets them: a source made in the form (a bad variable name first), a
// sender posting Standard Webhooks deliveries signed by the reference library (one redelivered, one
// tampered), the counts on the webhooks page, the event in the explorer and its detail, and a replay that
// reaches the application again with the same idempotency key. Then events that failed while the application
// was down, bulk-replayed from the explorer once it is back.

/** A sender's Standard Webhooks delivery, signed by the reference library (over `signedBody`: tampering). */
function deliverSigned(sender: APIRequestContext, slug: string, id: string, body: string, signedBody = body) {
  return sender.post(`/api/webhooks/${slug}`, {
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': new Webhook(E2E.inboundWebhookSecret).sign(id, new Date(), signedBody),
    },
    data: body,
  });
}

test('a source made in the form receives signed deliveries, counts them, shows the events, and replays one', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const run = randomUUID().slice(0, 8);
  const slug = `e2e-hooks-${run}`;
  await signIn(page);
  const integration = await page.request.post('/api/integrations', {
    data: {
      name: `E2E Webhook App ${run}`,
      slug: `e2e-hook-app-${run}`,
      baseUrl: `${E2E.upstreamURL}/app`,
      policy: { cache: { enabled: false }, rateLimit: { enabled: false } },
    },
  });
  expect(integration.status()).toBe(201);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
  await expect(page.getByRole('heading', { name: 'Inbound webhooks' })).toBeVisible();
  const form = page.getByRole('form', { name: 'New webhook source' });
  // A click before the page hydrated does nothing: click until the form opens.
  await expect(async () => {
    await page.getByRole('button', { name: 'New source' }).click();
    await expect(form).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await form.getByLabel('Name', { exact: true }).fill(`Payments ${run}`);
  await form.getByLabel('Slug').fill(slug);
  await form.getByLabel('Secret environment variable').fill('e2e inbound secret');
  await form.getByLabel('Forward to integration').selectOption(`e2e-hook-app-${run}`);
  await form.getByLabel('Forward path').fill('/payments/events');
  await form.getByRole('button', { name: 'Create source' }).click();
  await expect(form.getByRole('alert')).toHaveText('Fix the marked fields.');
  await expect(form.getByText('must be an environment variable name')).toBeVisible();
  await expect(form.getByLabel('Secret environment variable')).toHaveAttribute('aria-invalid', 'true');
  await form.getByLabel('Secret environment variable').fill('BREAKWATER_SECRET_E2E_INBOUND_WEBHOOK');
  await form.getByRole('button', { name: 'Create source' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Senders post to' })).toContainText(
    `/api/webhooks/default/${slug}`,
  );
  const panel = page.getByRole('region', { name: `Payments ${run}` });
  await expect(panel.locator('code', { hasText: 'BREAKWATER_SECRET_E2E_INBOUND_WEBHOOK' })).toBeVisible();
  await expect(panel.getByText(E2E.inboundWebhookSecret)).toHaveCount(0);

  // The sender: three events, one of them redelivered, and one tampered with after signing.
  const sender = await request.newContext({ baseURL: E2E.baseURL });
  const deliver = (id: string, body: string, signedBody = body) => deliverSigned(sender, slug, id, body, signedBody);
  const ids = [0, 1, 2].map((i) => `msg_${run}_${i}`);
  const bodies = ids.map((id, i) => JSON.stringify({ type: 'payment.succeeded', id, amount: 1000 + i }));
  for (const [i, id] of ids.entries()) {
    const response = await deliver(id, bodies[i]);
    expect(response.status()).toBe(200);
    expect((await response.json()).duplicate).toBe(false);
  }
  const again = await deliver(ids[0], bodies[0]);
  expect(await again.json()).toMatchObject({ duplicate: true });
  const tampered = await deliver(`msg_${run}_x`, bodies[1].replace('1001', '9999'), bodies[1]);
  expect(tampered.status()).toBe(401);
  expect(await tampered.json()).toMatchObject({ reason: 'bad_signature' });

  // The page refreshes every 5 s; the forwards finish through the job queue.
  await expect(panel.getByTestId('count-received')).toHaveText('3', { timeout: 20_000 });
  await expect(panel.getByTestId('count-duplicate')).toHaveText('1');
  await expect(panel.getByTestId('count-rejected')).toHaveText('1');
  await expect(panel.getByTestId('reason-bad_signature')).toHaveText('bad signature: 1');
  await expect(panel.getByTestId('count-forwarded')).toHaveText('3', { timeout: 30_000 });
  await expect(panel.getByRole('img', { name: /deliveries per/ })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('webhooks.png'), fullPage: true });

  await panel.getByRole('link', { name: 'Events' }).click();
  const table = page.getByRole('table', { name: 'Webhook events' });
  await expect(table.getByRole('row')).toHaveCount(4);
  await expect(table.getByRole('cell', { name: ids[0], exact: true })).toBeVisible();
  await page.getByLabel('Text').fill(ids[1]);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(table.getByRole('row')).toHaveCount(2);
  await table.getByRole('row').nth(1).getByRole('link').click();

  await expect(page.getByRole('heading', { name: ids[1] })).toBeVisible();
  await expect(page.getByTestId('event-state')).toHaveText('forwarded');
  await expect(page.getByTestId('event-body')).toHaveText(bodies[1]);
  await expect(page.getByRole('link', { name: /^[0-9a-f-]{36}$/ })).toHaveAttribute('href', /^\/jobs\//);
  await page.screenshot({ path: testInfo.outputPath('webhook-event.png'), fullPage: true });

  const effects = async () => (await (await sender.get(`${E2E.upstreamURL}/__control/effects`)).json()).byKey[ids[1]];
  expect(await effects()).toBe(1);
  await page.getByRole('button', { name: 'Replay' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Replay queued' })).toContainText(`key ${ids[1]}`);
  await expect.poll(effects, { timeout: 30_000 }).toBe(2);
  const eventId = new URL(page.url()).pathname.split('/').pop()!;
  await expect
    .poll(async () => (await (await page.request.get(`/api/webhook-events/${eventId}`)).json()).state, {
      timeout: 30_000,
    })
    .toBe('forwarded');
  await page.reload();
  await expect(page.getByTestId('event-state')).toHaveText('forwarded');
  await sender.dispose();
});

test('events that failed while the application was down are found in the explorer and bulk-replayed once it recovers', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const run = randomUUID().slice(0, 8);
  const slug = `e2e-bulk-${run}`;
  const route = `/bulk-app-${run}/events`;
  await signIn(page);
  const integration = await page.request.post('/api/integrations', {
    data: {
      name: `E2E Bulk App ${run}`,
      slug: `e2e-bulk-app-${run}`,
      baseUrl: `${E2E.upstreamURL}/bulk-app-${run}`,
      policy: { retry: { maxRetries: 0 }, cache: { enabled: false }, breaker: { dryRun: true } },
    },
  });
  expect(integration.status()).toBe(201);
  const source = await page.request.post('/api/webhook-sources', {
    data: {
      name: `Bulk ${run}`,
      slug,
      integration: `e2e-bulk-app-${run}`,
      forwardPath: '/events',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_E2E_INBOUND_WEBHOOK',
    },
  });
  expect(source.status()).toBe(201);
  await setFault({ route, mode: 'fail', failStatus: 503 });

  const ids = [0, 1, 2].map((i) => `msg_${run}_bulk_${i}`);
  for (const id of ids) {
    const response = await deliverSigned(page.request, slug, id, JSON.stringify({ type: 'identity.verified', id }));
    expect(response.status()).toBe(200);
  }

  // Failed events: the forward jobs ran out of attempts against the 503s (the server's backoff is 300 ms).
  await page.goto(`/webhooks/events?source=${slug}&state=failed`);
  const table = page.getByRole('table', { name: 'Webhook events' });
  await expect(table.getByRole('row')).toHaveCount(4, { timeout: 30_000 });

  await setFault({ route, mode: 'ok' });
  await page.getByRole('button', { name: 'Replay matching events' }).click();
  await expect(page.getByTestId('event-bulk-preview')).toHaveText('3 events match the filter.');
  await page.getByRole('button', { name: 'Replay 3 events' }).click();
  await page
    .getByRole('dialog', { name: 'Replay 3 events?' })
    .getByRole('button', { name: 'Queue the replays' })
    .click();
  await expect(page.getByTestId('event-bulk-result')).toContainText('Queued 3 replays');
  await page.screenshot({ path: testInfo.outputPath('webhook-bulk-replay.png'), fullPage: true });

  // They leave the "failed" list, and show up as forwarded.
  await expect(page.getByText('No event matches.')).toBeVisible({ timeout: 30_000 });
  await page.getByLabel('State').selectOption('forwarded');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(table.getByRole('row')).toHaveCount(4, { timeout: 30_000 });
  const effects = (await upstreamControl('effects')).byKey as Record<string, number>;
  expect(ids.map((id) => effects[id])).toEqual([3, 3, 3]);
});
