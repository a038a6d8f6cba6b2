import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
const SECRET = 'log/Pl4nted+Secret="x"';

test('a log line is redacted like the call log: credential fields by name, exposed secrets in any encoding', () => {
  // The logger writes to stdout: run it in a child process with an exposed secret in its environment.
  const script = `
    import { log } from './lib/logging/index.ts';
    const secret = process.env.BREAKWATER_SECRET_LOG_TEST;
    log.warn({ headers: { 'x-goog-api-key': 'callerGoogKey1', accept: 'json' }, body: { customer: { password: 'callerPw2' } } }, 'call kept');
    log.error({ err: new Error('upstream refused https://up.example/v1?api_key=callerKey3&limit=5 with ' + encodeURIComponent(secret)) }, 'failed');
    log.info({ note: Buffer.from('Bearer ' + secret).toString('base64') + ' ' + Buffer.from(secret).toString('hex') }, 'echo');
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, BREAKWATER_SECRET_LOG_TEST: SECRET, LOG_LEVEL: 'info' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 3, run.stdout);
  for (const value of [
    'callerGoogKey1',
    'callerPw2',
    'callerKey3',
    encodeURIComponent(SECRET),
    Buffer.from(SECRET).toString('hex'),
    Buffer.from(`Bearer ${SECRET}`).toString('base64').slice(12, 28),
  ])
    assert.ok(!run.stdout.includes(value), `${value} in ${run.stdout}`);
  const [first, second] = lines.map((line) => JSON.parse(line));
  assert.equal(first.headers.accept, 'json', 'what is not a credential stays');
  assert.match(second.err.message, /api_key=\[redacted\]&limit=5/);
});
