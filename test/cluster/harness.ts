import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DemoUpstream, startDemoUpstream } from '@/demo/upstream';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type ApiAnswer, type BreakwaterServer, callApi, eventually, signIn, startBreakwater } from '../support/server';

const root = join(import.meta.dirname, '..', '..');
export const NGINX_CONF = join(root, 'deploy', 'nginx', 'breakwater.conf');

/**
 * The suite's ports: six instances from CLUSTER_BASE_PORT (3361-3366 by default), nginx (3370), the demo
 * upstream (4361); each overridable so two runs can share the machine.
 */
const BASE_PORT = Number(process.env.CLUSTER_BASE_PORT ?? 3361);
export const PORTS = {
  instances: Array.from({ length: 6 }, (_, i) => BASE_PORT + i),
  nginx: Number(process.env.CLUSTER_NGINX_PORT ?? 3370),
  upstream: Number(process.env.CLUSTER_UPSTREAM_PORT ?? 4361),
};
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ALERT_INTERVAL_MS = 4000;
export const HOOK_SECRET = `whsec_${Buffer.from('cluster-test-alert-signing-key-01').toString('base64')}`;
/** What inbound webhook senders sign with (Standard Webhooks). */
export const INBOUND_SECRET = `whsec_${Buffer.from('cluster-test-inbound-signing-key').toString('base64')}`;
/** Events in the demo upstream's frozen `/events` feed: what the polling sync must store, each exactly once. */
export const FEED_ITEMS = 400;

/** nginx from Debian, unprivileged: the deploy configuration with the test's ports, everything under `dir`. */
export class Nginx {
  readonly dir = mkdtempSync(join(tmpdir(), 'bw-nginx-'));
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(readonly port: number) {
    for (const sub of ['logs', 'temp']) mkdirSync(join(this.dir, sub));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(instancePorts: number[]): Promise<void> {
    const conf = readFileSync(NGINX_CONF, 'utf8')
      .replace(/listen \d+;/, `listen 127.0.0.1:${this.port};`)
      .replace(/(\s*server 127\.0\.0\.1:\d+[^\n]*\n)+/, (block) => {
        const line = block.trim().split('\n')[0].trim().replace(/:\d+/, ':PORT');
        return `\n${instancePorts.map((p) => `    ${line.replace('PORT', String(p))}`).join('\n')}\n`;
      });
    writeFileSync(join(this.dir, 'nginx.conf'), conf);
    writeFileSync(join(this.dir, 'logs', 'access.log'), '');
    this.child = spawn(
      '/usr/sbin/nginx',
      ['-p', this.dir, '-c', join(this.dir, 'nginx.conf'), '-e', 'logs/error.log', '-g', 'daemon off;'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await eventually(
      'nginx to answer',
      async () => {
        if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
        return fetch(`${this.url}/api/health`)
          .then((r) => (r.ok ? true : undefined))
          .catch(() => undefined);
      },
      30_000,
    );
  }

  /** Lines of the access log: request id, method, status and the instance (host:port) that answered. */
  accessLog(): { requestId: string; status: number; upstream: string }[] {
    return readFileSync(join(this.dir, 'logs', 'access.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [, requestId, , status, upstream] = line.split(' ');
        return { requestId, status: Number(status), upstream };
      });
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGQUIT');
      await this.exited;
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Receives alert notifications: every POST body, as the channel sent it. */
export class AlertReceiver {
  // biome-ignore lint/suspicious/noExplicitAny: webhook payloads are read field by field
  readonly received: any[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        this.received.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    assert.ok(address && typeof address === 'object');
    this.url = `http://127.0.0.1:${address.port}/hook`;
  }

  /** Notifications of one rule with that status received (a channel's retry counts again). */
  count(rule: string, status: 'firing' | 'resolved'): number {
    return this.received.filter((payload) => payload.type === `alert.${status}` && payload.data.rule.name === rule)
      .length;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * PostgreSQL (a fresh database), Redis (a key prefix of this run), the demo upstream, Breakwater instances of
 * the production build on fixed ports, and nginx balancing over them.
 */
export class Cluster {
  database!: TestDatabase;
  upstream!: DemoUpstream;
  readonly nginx = new Nginx(PORTS.nginx);
  /** by instance id (cluster-1, ...); a killed one is removed */
  readonly instances = new Map<string, { server: BreakwaterServer; port: number }>();
  readonly redisPrefix = `bw-cluster-${process.pid}-${Date.now()}:`;
  /** the instances' telemetry journals (a restarted instance replays its own) */
  readonly journalDir = mkdtempSync(join(tmpdir(), 'bw-journal-'));
  private redisUrl = REDIS_URL;
  cookie = '';
  token = '';

  async start(): Promise<void> {
    this.database = await createTestDatabase('postgresql');
    this.upstream = await startDemoUpstream({ port: PORTS.upstream, eventsPerSec: 0, eventsBacklog: FEED_ITEMS });
  }

  env(id: string, redisUrl: string): Record<string, string> {
    return {
      BREAKWATER_INSTANCE_ID: id,
      REDIS_URL: redisUrl,
      BREAKWATER_REDIS_PREFIX: this.redisPrefix,
      BREAKWATER_TRUST_PROXY: '1',
      BREAKWATER_ALERT_EVAL_INTERVAL_MS: String(ALERT_INTERVAL_MS),
      BREAKWATER_HEARTBEAT_MS: '1000',
      BREAKWATER_JOB_LEASE_MS: '3000',
      BREAKWATER_JOB_POLL_MS: '100',
      BREAKWATER_JOB_BACKOFF_MS: '200,200,200',
      BREAKWATER_REPLAY_LEASE_MS: '2000',
      BREAKWATER_REPLAY_POLL_MS: '200',
      BREAKWATER_SYNC_LEASE_MS: '4000',
      BREAKWATER_SYNC_POLL_MS: '200',
      BREAKWATER_SECRET_CLUSTER_HOOK: HOOK_SECRET,
      BREAKWATER_SECRET_CLUSTER_INBOUND: INBOUND_SECRET,
      BREAKWATER_TELEMETRY_JOURNAL_DIR: this.journalDir,
    };
  }

  /**
   * Starts instances `ids` on `ports` (the first alone: it applies the migrations), then nginx over them.
   */
  async launch(ids: string[], ports: number[], redisUrl: string): Promise<void> {
    this.redisUrl = redisUrl;
    const start = async (i: number) => {
      const server = await startBreakwater(this.database.url, this.env(ids[i], redisUrl), { port: ports[i] });
      this.instances.set(ids[i], { server, port: ports[i] });
    };
    await start(0);
    await Promise.all(ids.slice(1).map((_, i) => start(i + 1)));
    await this.nginx.start(ports);
    this.cookie = await signIn(this.balancer);
  }

  /** nginx, addressed as one server (its Origin is what cookie-authenticated writes must carry). */
  get balancer(): BreakwaterServer {
    return { url: this.nginx.url, output: () => '', stop: async () => null };
  }

  instance(id: string): { server: BreakwaterServer; port: number } {
    const found = this.instances.get(id);
    assert.ok(found, `no running instance ${id}`);
    return found;
  }

  api(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer> {
    return callApi(this.balancer, this.cookie, path, init);
  }

  /** A gateway call through nginx, or straight to one instance's URL when `base` is given. */
  gateway(
    integration: string,
    path: string,
    { method = 'GET', body, headers = {}, base = this.nginx.url }: GatewayInit = {},
  ): Promise<Response> {
    return fetch(`${base}/api/gw/${integration}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      body,
      signal: AbortSignal.timeout(60_000),
    });
  }

  /** An integration on the demo upstream, under /<slug> unless `baseUrl` says otherwise. */
  async createIntegration(
    slug: string,
    policy: Record<string, unknown>,
    baseUrl = `${this.upstream.url}/${slug}`,
  ): Promise<void> {
    const created = await this.api('/api/integrations', {
      method: 'POST',
      body: { name: slug, slug, baseUrl, authScheme: 'none', policy },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }

  // biome-ignore lint/suspicious/noExplicitAny: the demo upstream's control answers
  async control(path: string, init?: RequestInit): Promise<any> {
    return (await fetch(`${this.upstream.url}/__control/${path}`, init)).json();
  }

  async setFault(fault: Record<string, unknown>): Promise<void> {
    const answer = await this.control('faults', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });
    assert.ok(answer.fault, `the demo upstream refused the fault: ${JSON.stringify(answer)}`);
  }

  async upstreamCount(route: string): Promise<number> {
    return (await this.control('stats')).byRoute[route] ?? 0;
  }

  /** Stops one instance: SIGKILL (nothing flushed, leases left to expire) or SIGTERM (drained). */
  async stopInstance(id: string, signal: NodeJS.Signals): Promise<void> {
    await this.instance(id).server.stop(signal);
    this.instances.delete(id);
  }

  /** Starts a stopped instance again under its id and on its port, as systemd or Kubernetes would. */
  async restartInstance(id: string, port: number): Promise<void> {
    assert.ok(!this.instances.has(id), `${id} is still running`);
    const server = await startBreakwater(this.database.url, this.env(id, this.redisUrl), { port });
    this.instances.set(id, { server, port });
  }

  async stopInstances(): Promise<void> {
    await Promise.all([...this.instances.keys()].map((id) => this.stopInstance(id, 'SIGTERM')));
    await this.nginx.stop();
  }

  async stop(): Promise<void> {
    await this.stopInstances().catch(() => undefined);
    await this.upstream?.close();
    await this.database?.drop();
    this.nginx.remove();
    rmSync(this.journalDir, { recursive: true, force: true });
    deleteRedisKeys(this.redisPrefix);
  }
}

export interface GatewayInit {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  base?: string;
}

/** Removes this run's keys from the shared Redis (redis-cli from Debian's redis-tools). */
function deleteRedisKeys(prefix: string): void {
  const url = new URL(REDIS_URL);
  const args = ['-h', url.hostname, '-p', url.port || '6379'];
  try {
    const keys = execFileSync('redis-cli', [...args, '--scan', '--pattern', `${prefix}*`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (let i = 0; i < keys.length; i += 500) execFileSync('redis-cli', [...args, 'DEL', ...keys.slice(i, i + 500)]);
  } catch {
    // Redis not running: nothing of this run's was kept there.
  }
}

/** A closed port on loopback: where REDIS_URL points for the suite with Redis unavailable. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export { eventually, sleep };
