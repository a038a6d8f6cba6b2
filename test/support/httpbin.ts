import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { freePort } from './ports.ts';

export interface Httpbin {
  url: string;
  close(): Promise<void>;
}

// Debian's python3-httpbin, run by Debian's python: the pyenv python3 on PATH does not have it.
const SYSTEM_PYTHON = '/usr/bin/python3';
const GUNICORN = '/usr/bin/gunicorn';
const HTTPBIN_PACKAGE_DIR = '/usr/lib/python3/dist-packages/httpbin';
const MISSING_PACKAGE_HINT = 'install the Debian package python3-httpbin (apt-get install -y python3-httpbin)';
const READY_TIMEOUT_MS = 20_000;

/** Starts httpbin on a free loopback port and resolves once `GET /get` answers 200. */
export async function startHttpbin(): Promise<Httpbin> {
  if (!existsSync(SYSTEM_PYTHON) || !existsSync(HTTPBIN_PACKAGE_DIR)) {
    throw new Error(`httpbin is not installed at ${HTTPBIN_PACKAGE_DIR}: ${MISSING_PACKAGE_HINT}`);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const [command, args] = existsSync(GUNICORN)
    ? [GUNICORN, ['-w', '2', '-b', `127.0.0.1:${port}`, 'httpbin:app']]
    : [SYSTEM_PYTHON, ['-m', 'httpbin.core', '--host', '127.0.0.1', '--port', String(port)]];

  // Keep pyenv's (or anyone's) Python settings from redirecting Debian's interpreter.
  const { PYTHONPATH: _path, PYTHONHOME: _home, ...env } = process.env;
  // detached: the child leads its own process group, so close() also reaches gunicorn's workers.
  const child = spawn(command, args, { detached: true, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  try {
    await waitUntilReady(url, child, () => stderr);
  } catch (error) {
    await killGroup(child, exited);
    throw error;
  }
  return { url, close: () => killGroup(child, exited) };
}

async function waitUntilReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const output = stderr();
      const hint = /No module named '?httpbin/.test(output) ? `${MISSING_PACKAGE_HINT}. ` : '';
      throw new Error(`httpbin exited before answering (${child.exitCode ?? child.signalCode}). ${hint}${output}`);
    }
    try {
      const response = await request(`${url}/get`, { headersTimeout: 1000, bodyTimeout: 1000 });
      await response.body.dump();
      if (response.statusCode === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`httpbin did not answer GET ${url}/get within ${READY_TIMEOUT_MS} ms (${MISSING_PACKAGE_HINT}?)`);
}

async function killGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  signalGroup(child.pid, 'SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(5000, false, { ref: false })]);
  if (!stopped) {
    signalGroup(child.pid, 'SIGKILL');
    await exited;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
