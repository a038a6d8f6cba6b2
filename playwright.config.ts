import { defineConfig } from '@playwright/test';

// One database file per run, chosen once in the runner process (workers inherit the environment).
process.env.E2E_DATABASE_URL ??= `file:./data/e2e-${Date.now()}.db`;
process.env.E2E_UPSTREAM_PORT ??= '4310';
const port = Number(process.env.E2E_PORT ?? 3310);

export const E2E = {
  baseURL: `http://127.0.0.1:${port}`,
  upstreamURL: `http://127.0.0.1:${process.env.E2E_UPSTREAM_PORT}`,
  adminPassword: 'e2e-admin-password-123',
  databaseUrl: process.env.E2E_DATABASE_URL,
  /** The alert webhook channel's signing secret, given to the server in the variable below. */
  alertWebhookSecret: 'whsec_ZTJlLWFsZXJ0cy13ZWJob29rLXNlY3JldC0xMjM0NTY3OA==',
  /** The inbound webhook source's signing secret, given to the server in BREAKWATER_SECRET_E2E_INBOUND_WEBHOOK. */
  inboundWebhookSecret: 'whsec_ZTJlLWluYm91bmQtd2ViaG9vay1zZWNyZXQtOTg3NjU0MzI=',
  /** An OAuth2 client secret (e2e/oauth2.spec.ts), given to the server in BREAKWATER_SECRET_E2E_OAUTH_CLIENT. */
  oauthClientSecret: 'e2e/oauth+client=secret-2468',
};

export default defineConfig({
  testDir: 'e2e',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  outputDir: 'test-results',
  use: {
    baseURL: E2E.baseURL,
    // page.request calls carry the session cookie, so their writes must name Breakwater's own origin (CSRF).
    extraHTTPHeaders: { origin: E2E.baseURL },
    screenshot: 'on',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 800 },
    // The suites' colours and screenshots are of the dark palette; e2e/polish.spec.ts tests the light one.
    colorScheme: 'dark',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: [
    {
      command: `node --import tsx demo/upstream.ts --port ${process.env.E2E_UPSTREAM_PORT}`,
      url: `${E2E.upstreamURL}/__control/stats`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `node --import tsx server.ts -p ${port} -H 127.0.0.1`,
      url: `${E2E.baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 90_000,
      env: {
        DATABASE_URL: E2E.databaseUrl,
        BREAKWATER_ADMIN_PASSWORD: E2E.adminPassword,
        BREAKWATER_FLUSH_INTERVAL_MS: '200',
        BREAKWATER_ALERT_EVAL_INTERVAL_MS: '1000',
        // Jobs: a short backoff so a failing job is dead-lettered within seconds; frequent queue samples.
        BREAKWATER_JOB_BACKOFF_MS: '300',
        BREAKWATER_QUEUE_SAMPLE_MS: '1000',
        // the demo upstream and the test's webhook receivers are on loopback
        BREAKWATER_OUTBOUND_ALLOW: '127.0.0.1',
        BREAKWATER_SECRET_E2E_ALERT_WEBHOOK: E2E.alertWebhookSecret,
        BREAKWATER_SECRET_E2E_INBOUND_WEBHOOK: E2E.inboundWebhookSecret,
        BREAKWATER_SECRET_E2E_OAUTH_CLIENT: E2E.oauthClientSecret,
        NEXT_TELEMETRY_DISABLED: '1',
        NODE_ENV: 'production',
      },
    },
  ],
});
