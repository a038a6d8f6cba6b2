import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports';

export interface BreakwaterServer {
  url: string;
  /** stdout and stderr so far, to search logs (for secrets, say) */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const TEST_ADMIN_PASSWORD = 'test-admin-password-123';
const root = join(import.meta.dirname, '..', '..');

/**
 * Runs the production server (server.ts on the build) against a database, as `npm start` does, on a free port
 * (or `port`: the cluster test's load balancer names its instances' ports).
 */
export async function startBreakwater(
  databaseUrl: string,
  env: Record<string, string> = {},
  { port: fixedPort }: { port?: number } = {},
): Promise<BreakwaterServer> {
  const distDir = process.env.BREAKWATER_DIST_DIR || '.next';
  if (!existsSync(join(root, distDir, 'BUILD_ID')))
    throw new Error(`no production build in ${distDir}: run \`npm run build\` first`);
  const port = fixedPort ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'server.ts', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        BREAKWATER_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
        BREAKWATER_FLUSH_INTERVAL_MS: '100',
        NEXT_TELEMETRY_DISABLED: '1',
        LOG_LEVEL: 'info',
        // Test upstreams and receivers listen on loopback; a test of the policy itself passes its own list.
        BREAKWATER_OUTBOUND_ALLOW: '127.0.0.1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server.ts exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Breakwater did not become healthy within 60 s:\n${output}`);
    }
    await sleep(200);
  }
  return {
    url,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Signs in as the test admin and returns the session cookie. */
export async function signIn(server: BreakwaterServer): Promise<string> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return response.headers.get('set-cookie')!.split(';')[0];
}

// biome-ignore lint/suspicious/noExplicitAny: test responses are read field by field
export type ApiAnswer = { status: number; body: any };

/** A call to the server's API with a session cookie; a string body is sent as is (malformed JSON, say). */
export async function callApi(
  server: BreakwaterServer,
  cookie: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<ApiAnswer> {
  const method = init.method ?? 'GET';
  const send = () =>
    fetch(`${server.url}${path}`, {
      method,
      // Origin: cookie-authenticated writes must come from Breakwater's own origin (CSRF).
      headers: { cookie, origin: server.url, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
      // A request the server never answers fails the test instead of hanging the suite.
      signal: AbortSignal.timeout(60_000),
    });
  // A GET on a kept-alive connection the server closed as it was reused is sent again once, as browsers do
  // (RFC 9112 9.3.1: an idempotent request may be retried when its connection closed before any answer).
  const response = await send().catch((error: unknown) => {
    const code = ((error as Error).cause as { code?: string } | undefined)?.code;
    if (method === 'GET' && code === 'UND_ERR_SOCKET') return send();
    throw error;
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Polls until the check returns a value; waiting, not timing, so a slow machine only makes it slower. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  limitMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

/** An integration policy that leaves each call to the test: no retries, cache or rate limit; breaker dry run. */
export const PASS_THROUGH_POLICY = {
  retry: { maxRetries: 0 },
  cache: { enabled: false },
  breaker: { dryRun: true },
  rateLimit: { enabled: false },
};
