import { expect as baseExpect, type Page, test } from '@playwright/test';
import { createDb, type Db } from '@/lib/db';
import { E2E } from '../playwright.config';
import { clearFaults, newToken, setFault, signIn, upstreamControl } from './support';

// Replay as an engineer meets it after an outage: the failed calls are found in the explorer, replayed
// in bulk once the upstream is back, each replay linked to its original and back; one call is edited and
// replayed after a dry run. The integration's key lives in a server variable: it reaches the upstream and
// never any page.

test.describe.configure({ timeout: 180_000 });
const expect = baseExpect.configure({ timeout: 20_000 });

// The server's environment holds this variable (playwright.config.ts) and the test knows its value, so it
// serves as the integration's key.
const SECRET_ENV = 'BREAKWATER_SECRET_E2E_ALERT_WEBHOOK';
const SECRET = E2E.alertWebhookSecret;

let db: Db;
test.beforeAll(() => {
  db = createDb(E2E.databaseUrl);
});
test.afterAll(async () => {
  await clearFaults();
  await db.$disconnect();
});

async function createIntegration(page: Page, slug: string) {
  const response = await page.request.post('/api/integrations', {
    data: {
      name: `E2E ${slug}`,
      slug,
      baseUrl: `${E2E.upstreamURL}/${slug}`,
      authScheme: 'bearer',
      secretEnv: SECRET_ENV,
      // No retries and a breaker that stays closed: one recorded call per request, and replays go out.
      policy: { retry: { maxRetries: 0 }, cache: { enabled: false }, breaker: { consecutiveFailures: 100 } },
    },
  });
  expect(response.status()).toBe(201);
  return db.integration.findUniqueOrThrow({ where: { workspaceId_slug: { workspaceId: 'default', slug } } });
}

/**
 * Fails the test if the secret is in anything the app sends the browser (documents, RSC payloads, API
 * answers); `check` also reads what the page shows at that moment.
 */
function guardSecret(page: Page) {
  const bodies: Promise<{ url: string; text: string }>[] = [];
  page.on('response', (response) => {
    if (!response.url().startsWith(E2E.baseURL)) return;
    bodies.push(
      response.text().then(
        (text) => ({ url: response.url(), text }),
        () => ({ url: response.url(), text: '' }), // redirects have no body
      ),
    );
  });
  const read = async (needle: string) =>
    (await Promise.all(bodies)).filter(({ text }) => text.includes(needle)).map(({ url }) => url);
  return {
    async check() {
      expect(await page.content()).not.toContain(SECRET);
      expect(await read(SECRET)).toEqual([]);
    },
    /** The answers (URLs) that contain a text, to show the guard reads where the secret would be. */
    answersWith: read,
  };
}

/** Sends a call through the gateway while the upstream fails; answers its recorded call-log row. */
async function failedCall(
  page: Page,
  token: string,
  path: string,
  init: { headers?: Record<string, string>; data?: unknown; status?: number },
) {
  const response = await page.request.post(path, {
    headers: { authorization: `Bearer ${token}`, ...init.headers },
    data: init.data,
  });
  expect(response.status()).toBe(init.status ?? 503);
  const id = response.headers()['x-request-id'];
  await expect.poll(() => db.callLog.count({ where: { id } })).toBe(1);
  return db.callLog.findUniqueOrThrow({ where: { id } });
}

function requestHeadersPanel(page: Page) {
  return page.getByRole('region', { name: 'Request headers (redacted)' });
}

test('failed calls found in the explorer are bulk-replayed once the upstream recovers, each linked to its original', async ({
  page,
}, testInfo) => {
  const secret = guardSecret(page);
  await signIn(page);
  const token = await newToken(page, 'e2e replay');
  const integration = await createIntegration(page, 'replay-orders');
  // A call that succeeded before the outage is not among those replayed.
  const before = await page.request.get('/api/gw/replay-orders/v1/orders/0', {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(before.status()).toBe(200);
  await setFault({ route: '/replay-orders/*', mode: 'fail', failStatus: 503 });
  const originals = [];
  for (let i = 0; i < 4; i++)
    originals.push(
      await failedCall(page, token, '/api/gw/replay-orders/v1/orders', {
        headers: { 'idempotency-key': `e2e-order-${i}` },
        data: { order: i },
      }),
    );

  await page.getByRole('link', { name: 'Explorer' }).click();
  const filters = page.getByRole('form', { name: 'Filter calls' });
  await filters.getByLabel('Integration').selectOption({ label: 'E2E replay-orders' });
  await filters.getByLabel('Status').fill('503');
  await filters.getByRole('button', { name: 'Search' }).click();
  const rows = page.getByRole('table', { name: 'Calls' }).locator('tbody tr');
  await expect(rows).toHaveCount(4);
  for (const original of originals) await expect(rows.filter({ hasText: original.id })).toContainText('server error');

  await clearFaults();
  await page.getByRole('button', { name: 'Replay matching calls' }).click();
  const bulk = page.getByRole('region', { name: 'Replay matching calls' });
  await expect(bulk.getByTestId('bulk-preview')).toHaveText("4 calls match the explorer's filter.");
  await expect(bulk.getByLabel('Concurrency')).toHaveValue('5');
  await expect(bulk.getByRole('radio', { name: "Reuse each original's key (no double effect)" })).toBeChecked();
  await page.screenshot({ path: testInfo.outputPath('bulk-preview.png'), fullPage: true });
  await bulk.getByRole('button', { name: 'Replay 4 calls' }).click();
  const confirmBulk = page.getByRole('dialog', { name: 'Replay 4 calls?' });
  await expect(confirmBulk).toContainText("each with its original's idempotency key");
  await confirmBulk.getByRole('button', { name: 'Start the replay' }).click();
  await expect(bulk.getByRole('status')).toHaveText('4 of 4 done · 4 succeeded · 0 failed · 0 refused · done');
  await page.screenshot({ path: testInfo.outputPath('bulk-done.png'), fullPage: true });
  await secret.check();

  await bulk.getByRole('link', { name: 'Show the replays in the explorer' }).click();
  await expect(filters.getByLabel('Replays')).toHaveValue('only');
  await expect(rows).toHaveCount(4);
  for (let i = 0; i < 4; i++) {
    await expect(rows.nth(i)).toContainText('200');
    await expect(rows.nth(i)).toContainText('success');
    await expect(rows.nth(i).getByText('replay', { exact: true })).toBeVisible();
  }
  const replays = await db.callLog.findMany({ where: { integrationId: integration.id, replayOfId: { not: null } } });
  expect(replays.map((r) => r.replayOfId).sort()).toEqual(originals.map((o) => o.id).sort());
  // "Reuse": each replay carried its original's key, so the upstream saw each key twice, never a fresh one.
  for (const replay of replays) {
    const original = originals.find((o) => o.id === replay.replayOfId)!;
    expect(JSON.parse(replay.requestHeaders)['idempotency-key']).toBe(
      JSON.parse(original.requestHeaders)['idempotency-key'],
    );
  }
  await page.screenshot({ path: testInfo.outputPath('replays.png'), fullPage: true });
  await secret.check();

  // The original lists its replay with a 2xx status; the replay says what it replays and links back.
  const original = originals[1];
  const replay = replays.find((r) => r.replayOfId === original.id)!;
  await page.goto(`/explorer/${original.id}`);
  const listed = page.getByRole('table', { name: 'Replays' }).locator('tbody tr');
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText('200');
  await expect(listed).toContainText('success');
  await page.screenshot({ path: testInfo.outputPath('original.png'), fullPage: true });
  await secret.check();
  await listed.getByRole('link', { name: replay.id }).click();
  await expect(page.getByTestId('request-id')).toHaveText(replay.id);
  await expect(requestHeadersPanel(page)).toContainText('idempotency-keye2e-order-1');
  await expect(requestHeadersPanel(page)).toContainText('authorization[redacted]');
  await page.screenshot({ path: testInfo.outputPath('replay.png'), fullPage: true });
  await secret.check();
  await page.getByRole('link', { name: original.id }).click();
  await expect(page.getByTestId('request-id')).toHaveText(original.id);
  await secret.check();
});

test('edit and replay: the dry run shows the edited request with the key redacted; the new call links to its original', async ({
  page,
}, testInfo) => {
  const secret = guardSecret(page);
  await signIn(page);
  const token = await newToken(page, 'e2e edit replay');
  await createIntegration(page, 'replay-refunds');
  await setFault({ route: '/replay-refunds/*', mode: 'fail', failStatus: 503 });
  const original = await failedCall(page, token, '/api/gw/replay-refunds/v1/refunds', {
    headers: { 'idempotency-key': 'e2e-refund-1', 'x-client': 'e2e' },
    data: { amount: 10 },
  });
  await clearFaults();

  await page.goto(`/explorer/${original.id}`);
  const panel = page.getByRole('region', { name: 'Replay', exact: true });
  await expect(page.getByRole('table', { name: 'Replays' })).toBeHidden();
  await expect(page.getByText('Not replayed yet.')).toBeVisible();

  // As recorded, reusing the key (the default): the dry run shows the exact request, and sends nothing.
  const upstreamBefore = (await upstreamControl('stats')).total;
  await panel.getByRole('button', { name: 'Dry run' }).click();
  const dry = panel.getByRole('region', { name: 'Dry run: the request that would be sent' });
  await expect(dry.getByTestId('replay-request-line')).toHaveText(`POST ${E2E.upstreamURL}/replay-refunds/v1/refunds`);
  await expect(dry.getByTestId('replay-idempotency-key')).toHaveText('e2e-refund-1');
  await expect(dry).toContainText('authorization[redacted]');
  await expect(dry).toContainText('x-cliente2e');
  await expect(dry).toContainText('{"amount":10}');
  expect((await upstreamControl('stats')).total).toBe(upstreamBefore);
  await secret.check();

  // Edit: the form starts from the recorded request, without the credential.
  await panel.getByRole('radio', { name: 'Edit and replay' }).check();
  await expect(panel.getByLabel('Method')).toHaveValue('POST');
  await expect(panel.getByLabel('Path', { exact: true })).toHaveValue('/v1/refunds');
  await expect(panel.getByLabel('Body')).toHaveValue('{"amount":10}');
  await expect(panel).toContainText(`authorization is added by the server from the variable ${SECRET_ENV}`);
  // The guard reads the answers that carry the credential's variable name, where its value would show.
  expect(await secret.answersWith(SECRET_ENV)).not.toEqual([]);
  const names = panel.getByRole('textbox', { name: /^Header \d+ name$/ });
  const headerNames = await names.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
  expect(headerNames).toContain('x-client');
  expect(headerNames).not.toContain('authorization');
  expect(headerNames).not.toContain('idempotency-key');

  // A path the gateway would refuse is named beside the field, and nothing is sent.
  await panel.getByLabel('Path', { exact: true }).fill('/v1/../admin');
  await panel.getByRole('button', { name: 'Dry run' }).click();
  await expect(panel.getByLabel('Path', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(panel.getByLabel('Path', { exact: true })).toHaveAccessibleDescription(/".." is not allowed/);
  await page.screenshot({ path: testInfo.outputPath('edit-invalid.png'), fullPage: true });

  await panel.getByLabel('Path', { exact: true }).fill('/v1/refunds/r_42');
  await panel.getByLabel('Query').fill('reason=duplicate');
  const clientRow = headerNames.indexOf('x-client') + 1;
  await panel.getByLabel(`Header ${clientRow} value`).fill('e2e-edited');
  await panel.getByRole('button', { name: 'Add header' }).click();
  const added = headerNames.length + 1;
  await panel.getByLabel(`Header ${added} name`).fill('x-note');
  await panel.getByLabel(`Header ${added} value`).fill('edited');
  await panel.getByLabel('Body').fill('{"amount":5}');
  await panel.getByRole('radio', { name: 'New key' }).check();
  await expect(panel.getByLabel('Path', { exact: true })).not.toHaveAttribute('aria-invalid');
  await panel.getByRole('button', { name: 'Dry run' }).click();
  await expect(dry.getByTestId('replay-request-line')).toHaveText(
    `POST ${E2E.upstreamURL}/replay-refunds/v1/refunds/r_42?reason=duplicate`,
  );
  await expect(dry).toContainText('authorization[redacted]');
  await expect(dry).toContainText('x-cliente2e-edited');
  await expect(dry).toContainText('x-noteedited');
  await expect(dry).toContainText('{"amount":5}');
  const dryKey = await dry.getByTestId('replay-idempotency-key').textContent();
  expect(dryKey).toMatch(/^[0-9a-f-]{36}$/);
  await page.screenshot({ path: testInfo.outputPath('edit-dry-run.png'), fullPage: true });
  await secret.check();

  await panel.getByRole('button', { name: 'Send replay' }).click();
  // A new key can repeat the effect: nothing is sent until that is confirmed.
  const confirmNewKey = page.getByRole('dialog', { name: 'Send the replay with a new idempotency key?' });
  await confirmNewKey.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirmNewKey).toBeHidden();
  expect(await db.callLog.count({ where: { replayOfId: original.id } })).toBe(0);
  await panel.getByRole('button', { name: 'Send replay' }).click();
  await confirmNewKey.getByRole('button', { name: 'Send with a new key' }).click();
  await expect(panel.getByTestId('replay-result')).toHaveText('200 · success');
  // The credential reached the upstream from the server's variable; the page only ever showed its name.
  const sent = await upstreamControl('last-request');
  expect(sent.path).toBe('/replay-refunds/v1/refunds/r_42');
  expect(sent.headers.authorization).toBe(`Bearer ${SECRET}`);
  const newKey = sent.headers['idempotency-key'];
  expect(newKey).not.toBe('e2e-refund-1');
  await expect(page.getByRole('table', { name: 'Replays' }).locator('tbody tr')).toHaveCount(1);
  await secret.check();

  await panel.getByRole('link', { name: 'Open the replay' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    'POST /replay-refunds/v1/refunds/r_42?reason=duplicate',
  );
  await expect(requestHeadersPanel(page)).toContainText('x-noteedited');
  await expect(requestHeadersPanel(page)).toContainText('x-cliente2e-edited');
  await expect(requestHeadersPanel(page)).toContainText(`idempotency-key${newKey}`);
  await expect(page.getByRole('region', { name: 'Request body (redacted, capped)' })).toContainText('{"amount":5}');
  await page.screenshot({ path: testInfo.outputPath('edited-replay.png'), fullPage: true });
  await secret.check();
  await page.getByRole('link', { name: original.id }).click();
  await expect(page.getByTestId('request-id')).toHaveText(original.id);
  await expect(page.getByRole('table', { name: 'Replays' }).locator('tbody tr')).toContainText('200');
  await secret.check();

  // On a phone the edit form and the dry run fit the screen: nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await panel.getByRole('radio', { name: 'Edit and replay' }).check();
  await panel.getByRole('button', { name: 'Dry run' }).click();
  await expect(dry.getByTestId('replay-request-line')).toContainText(`${E2E.upstreamURL}/replay-refunds/v1/refunds`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: testInfo.outputPath('edit-phone.png'), fullPage: true });
});

test('a call whose recorded body was cut is refused as recorded, with the reason, and replays once edited', async ({
  page,
}) => {
  const secret = guardSecret(page);
  await signIn(page);
  const token = await newToken(page, 'e2e refused replay');
  await createIntegration(page, 'replay-uploads');
  await setFault({ route: '/replay-uploads/*', mode: 'fail', failStatus: 503 });
  const original = await failedCall(page, token, '/api/gw/replay-uploads/v1/documents', {
    data: { text: 'x'.repeat(6000) },
  });
  await clearFaults();

  await page.goto(`/explorer/${original.id}`);
  const panel = page.getByRole('region', { name: 'Replay', exact: true });
  await panel.getByRole('button', { name: 'Send replay' }).click();
  await expect(panel.getByRole('alert')).toContainText('Refused: the recorded request body was cut');
  expect(await db.callLog.count({ where: { replayOfId: original.id } })).toBe(0);

  await panel.getByRole('button', { name: 'Edit and replay' }).click();
  await expect(panel.getByRole('radio', { name: 'Edit and replay' })).toBeChecked();
  await panel.getByLabel('Body').fill('{"text":"the full document"}');
  await panel.getByRole('button', { name: 'Send replay' }).click();
  await expect(panel.getByTestId('replay-result')).toHaveText('200 · success');
  await expect(page.getByRole('table', { name: 'Replays' }).locator('tbody tr')).toHaveCount(1);
  await secret.check();
});

test('a bulk replay is cancelled part-way from the explorer; a concurrency out of range is named beside its field', async ({
  page,
}) => {
  const secret = guardSecret(page);
  await signIn(page);
  const token = await newToken(page, 'e2e cancelled replay');
  const integration = await createIntegration(page, 'replay-slow');
  await setFault({ route: '/replay-slow/*', mode: 'fail', failStatus: 502 });
  for (let i = 0; i < 6; i++)
    await failedCall(page, token, '/api/gw/replay-slow/v1/contacts', { data: { contact: i }, status: 502 });
  // Back, but slow: one replay at a time takes long enough to cancel the run with most of it left.
  await setFault({ route: '/replay-slow/*', mode: 'ok', latencyMs: { kind: 'fixed', ms: 1500 } });

  await page.goto('/explorer?integration=replay-slow&status=502');
  await expect(page.getByRole('table', { name: 'Calls' }).locator('tbody tr')).toHaveCount(6);
  await page.getByRole('button', { name: 'Replay matching calls' }).click();
  const bulk = page.getByRole('region', { name: 'Replay matching calls' });
  await expect(bulk.getByTestId('bulk-preview')).toHaveText("6 calls match the explorer's filter.");
  const runsBefore = await db.replayRun.count();
  await bulk.getByLabel('Concurrency').fill('25');
  await bulk.getByRole('button', { name: 'Replay 6 calls' }).click();
  await page.getByRole('dialog', { name: 'Replay 6 calls?' }).getByRole('button', { name: 'Start the replay' }).click();
  await expect(bulk.getByLabel('Concurrency')).toHaveAttribute('aria-invalid', 'true');
  await expect(bulk.getByLabel('Concurrency')).toHaveAccessibleDescription(/20/);
  expect(await db.replayRun.count()).toBe(runsBefore);

  await bulk.getByLabel('Concurrency').fill('1');
  await bulk.getByRole('button', { name: 'Replay 6 calls' }).click();
  await page.getByRole('dialog', { name: 'Replay 6 calls?' }).getByRole('button', { name: 'Start the replay' }).click();
  await expect(bulk.getByRole('status')).toContainText('of 6 done');
  await bulk.getByRole('button', { name: 'Cancel' }).click();
  await expect(bulk.getByRole('status')).toHaveText(/ · cancelled$/);
  await expect(bulk.getByRole('link', { name: 'Show the replays in the explorer' })).toBeVisible();
  // The replay in flight when it was cancelled finishes; none starts after it.
  const replays = () => db.callLog.count({ where: { integrationId: integration.id, replayOfId: { not: null } } });
  let last = -1;
  await expect
    .poll(
      async () => {
        const now = await replays();
        const settled = now === last;
        last = now;
        return settled;
      },
      { intervals: [2000] },
    )
    .toBe(true);
  expect(last).toBeLessThan(6);
  await secret.check();
});
