import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DemoUpstream, startDemoUpstream } from '@/demo/upstream';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type BreakwaterServer, signIn, startBreakwater } from '../support/server';

export const SECRET = 'sk_jobs_test_secret_9d3e71';

/** A production server, the demo upstream and an integration "demo" pointing at it with a bearer secret. */
export class JobsHarness {
  database!: TestDatabase;
  server!: BreakwaterServer;
  upstream!: DemoUpstream;
  cookie = '';

  constructor(private readonly env: Record<string, string> = {}) {}

  serverEnv(): Record<string, string> {
    return {
      BW_JOBS_UPSTREAM_KEY: SECRET,
      BREAKWATER_JOB_BACKOFF_MS: '50,50,50',
      BREAKWATER_JOB_POLL_MS: '50',
      ...this.env,
    };
  }

  async start(): Promise<void> {
    this.database = await createTestDatabase();
    this.upstream = await startDemoUpstream({ eventsPerSec: 0 });
    this.server = await startBreakwater(this.database.url, this.serverEnv());
    this.cookie = await signIn(this.server);
    const created = await this.api('/api/integrations', {
      method: 'POST',
      body: {
        name: 'Demo',
        slug: 'demo',
        baseUrl: `${this.upstream.url}/demo`,
        authScheme: 'bearer',
        secretEnv: 'BW_JOBS_UPSTREAM_KEY',
        policy: {
          retry: { maxRetries: 0 },
          cache: { enabled: false },
          breaker: { dryRun: true },
          rateLimit: { enabled: false },
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }

  async restart(signal: NodeJS.Signals): Promise<void> {
    await this.server.stop(signal);
    this.server = await startBreakwater(this.database.url, this.serverEnv());
    this.cookie = await signIn(this.server);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.upstream?.close();
    await this.database?.drop();
  }

  // biome-ignore lint/suspicious/noExplicitAny: test responses are read field by field
  async api(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { cookie: this.cookie, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  // biome-ignore lint/suspicious/noExplicitAny: the demo upstream's control answers
  async control(path: string, init?: RequestInit): Promise<any> {
    const response = await fetch(`${this.upstream.url}/__control/${path}`, init);
    return response.json();
  }

  setFault(fault: Record<string, unknown>) {
    return this.control('faults', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });
  }

  /** A gateway call with the admin session (the gateway needs an API token). */
  async gateway(token: string, method: string, path: string, body?: string) {
    return fetch(`${this.server.url}/api/gw/demo${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/json' }) },
      body,
    });
  }
}

/** Polls until the check returns a value; waiting, not timing, so a slow machine only makes it slower. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, limitMs = 120_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}
