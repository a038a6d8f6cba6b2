import assert from 'node:assert/strict';
import { type DemoUpstream, startDemoUpstream } from '@/demo/upstream';
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
      BREAKWATER_SECRET_JOBS_UPSTREAM_KEY: SECRET,
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
        secretEnv: 'BREAKWATER_SECRET_JOBS_UPSTREAM_KEY',
        policy: PASS_THROUGH_POLICY,
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

  api(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer> {
    return callApi(this.server, this.cookie, path, init);
  }

  // biome-ignore lint/suspicious/noExplicitAny: the demo upstream's control answers
  async control(path: string, init?: RequestInit): Promise<any> {
    const response = await fetch(`${this.upstream.url}/__control/${path}`, init);
    return response.json();
  }

  /** Sets a route's misbehaviour on the demo upstream; a fault it refuses fails the test (not a silent no-op). */
  async setFault(fault: Record<string, unknown>) {
    const answer = await this.control('faults', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });
    assert.ok(answer.fault, `the demo upstream refused the fault: ${JSON.stringify(answer)}`);
    return answer;
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
