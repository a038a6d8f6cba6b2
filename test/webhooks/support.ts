import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type ApiAnswer,
  type BreakwaterServer,
  callApi,
  PASS_THROUGH_POLICY,
  signIn,
  startBreakwater,
} from '../support/server';

export { eventually } from '../support/server';

export interface Forwarded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The application behind Breakwater: records every forwarded request with its raw body, counts side
 * effects per Idempotency-Key (as the demo upstream does), and answers 500 on the paths told to fail.
 */
export class Receiver {
  readonly requests: Forwarded[] = [];
  readonly failing = new Set<string>();
  /** paths whose answers wait until release(): a forward kept in flight */
  readonly holding = new Set<string>();
  private held: (() => void)[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.requests.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks) });
        const answer = () => res.writeHead(this.failing.has(path) ? 500 : 204).end();
        if (this.holding.has(path)) this.held.push(answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  release(): void {
    this.holding.clear();
    for (const answer of this.held.splice(0)) answer();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Requests whose body contains the marker. */
  carrying(marker: string): Forwarded[] {
    return this.requests.filter((r) => r.body.includes(marker));
  }

  /** How many requests carried each idempotency key. */
  effectsByKey(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.requests) {
      const key = String(r.headers['idempotency-key']);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }
}

/** A `whsec_` secret as Standard Webhooks senders issue them. */
export const whsec = () => `whsec_${randomBytes(24).toString('base64')}`;

export const SECRETS = {
  BREAKWATER_SECRET_WH_STD_SECRET: whsec(),
  BREAKWATER_SECRET_WH_STD_OLD_SECRET: whsec(),
  BREAKWATER_SECRET_WH_STRIPE_SECRET: `whsec_${randomBytes(16).toString('hex')}`,
  BREAKWATER_SECRET_WH_HMAC_SECRET: `hmac-${randomBytes(12).toString('hex')}`,
  BREAKWATER_SECRET_WH_HMAC_OLD_SECRET: `hmac-old-${randomBytes(12).toString('hex')}`,
  BREAKWATER_SECRET_WH_APP_KEY: `app-key-${randomBytes(8).toString('hex')}`,
  BREAKWATER_SECRET_WH_BAD_FORMAT: 'not base64 !!',
};

/** The production server with the secrets in its environment, the receiver, and integration "app" in front of it. */
export class WebhookHarness {
  database!: TestDatabase;
  server!: BreakwaterServer;
  receiver = new Receiver();
  cookie = '';

  /** `env`: settings of this test's server on top of the secrets and a fast job schedule. */
  constructor(private readonly env: Record<string, string> = {}) {}

  async start(): Promise<void> {
    this.database = await createTestDatabase();
    await this.receiver.start();
    await this.startServer();
    const created = await this.api('/api/integrations', {
      method: 'POST',
      body: {
        name: 'Application',
        slug: 'app',
        baseUrl: `${this.receiver.url}/app`,
        authScheme: 'bearer',
        secretEnv: 'BREAKWATER_SECRET_WH_APP_KEY',
        policy: PASS_THROUGH_POLICY,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }

  private async startServer(): Promise<void> {
    this.server = await startBreakwater(this.database.url, {
      ...SECRETS,
      BREAKWATER_JOB_BACKOFF_MS: '50,50',
      BREAKWATER_JOB_POLL_MS: '50',
      BREAKWATER_JOB_CONCURRENCY: '20',
      ...this.env,
    });
    this.cookie = await signIn(this.server);
  }

  /** Stops the server with `signal` (SIGKILL: a crash) and starts it again on the same database. */
  async restart(signal: NodeJS.Signals): Promise<void> {
    await this.server.stop(signal);
    await this.startServer();
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.receiver.close();
    await this.database?.drop();
  }

  api(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer> {
    return callApi(this.server, this.cookie, path, init);
  }

  async createSource(body: Record<string, unknown>) {
    const created = await this.api('/api/webhook-sources', { method: 'POST', body });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.source;
  }

  /** A delivery to the public endpoint, without any Breakwater credentials. */
  async deliver(
    slug: string,
    body: string,
    headers: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: delivery answers are read field by field
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.server.url}/api/webhooks/${slug}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: await response.json() };
  }

  async counts(slug: string): Promise<Record<string, number>> {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const { status, body } = await this.api(`/api/webhook-sources/${slug}/counts?from=${from}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body.totals;
  }
}
