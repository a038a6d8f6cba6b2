import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENV_VARIABLES, EnvError, type SettingName, setting, validateEnv } from './env';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every `| variable | ... default ... |` table of the README and the lib folders' READMEs: name -> default cell. */
function documentedVariables(): Map<string, string[]> {
  const files = [
    'README.md',
    ...readdirSync(join(ROOT, 'lib'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join('lib', entry.name, 'README.md')),
  ];
  const found = new Map<string, string[]>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(ROOT, file), 'utf8');
    } catch {
      continue;
    }
    let defaultColumn = -1;
    for (const line of text.split('\n')) {
      const cells = line.startsWith('|')
        ? line
            .split('|')
            .slice(1, -1)
            .map((cell) => cell.trim())
        : null;
      if (!cells) {
        defaultColumn = -1;
        continue;
      }
      if (cells[0] === 'variable') defaultColumn = cells.indexOf('default');
      if (defaultColumn < 0 || !cells[0].startsWith('`')) continue;
      const names = [...cells[0].matchAll(/`([A-Z][A-Z0-9_]*\*?)[^`]*`/g)].map((match) => match[1]);
      const defaults = names.length > 1 ? cells[defaultColumn].split(', ') : [cells[defaultColumn]];
      names.forEach((name, i) => {
        // OTEL_* belong to the OpenTelemetry SDK; BREAKWATER_SECRET_* are the operator's secrets (lib/secrets)
        if (name.startsWith('OTEL_') || name.endsWith('*')) return;
        found.set(name, [...(found.get(name) ?? []), `${file}: ${defaults[i]}`]);
      });
    }
  }
  return found;
}

test("the READMEs' variable tables list exactly the schema's variables, with the schema's defaults", () => {
  const documented = documentedVariables();
  const schema = Object.keys(ENV_VARIABLES) as SettingName[];
  assert.deepEqual(
    [...documented.keys()].filter((name) => !(name in ENV_VARIABLES)),
    [],
    'documented, not in the schema',
  );
  assert.deepEqual(
    schema.filter((name) => !documented.has(name)),
    [],
    'in the schema, not documented',
  );
  for (const name of schema) {
    for (const entry of documented.get(name)!) {
      assert.equal(entry.slice(entry.indexOf(': ') + 2), ENV_VARIABLES[name].documentedDefault, `${name} in ${entry}`);
    }
  }
});

test('defaults apply to unset and empty variables, and values are parsed', () => {
  assert.equal(setting('BREAKWATER_JOB_POLL_MS', {}), 500);
  assert.equal(setting('BREAKWATER_JOB_POLL_MS', { BREAKWATER_JOB_POLL_MS: '' }), 500);
  assert.equal(setting('BREAKWATER_JOB_POLL_MS', { BREAKWATER_JOB_POLL_MS: '50' }), 50);
  assert.equal(setting('BREAKWATER_MAX_BODY_BYTES', {}), 10 * 1024 * 1024);
  assert.equal(setting('DATABASE_URL', { DATABASE_URL: '  ' }), 'file:./data/breakwater.db');
  assert.equal(setting('BREAKWATER_SYNC_RUNNER', {}), 'on');
  assert.equal(setting('BREAKWATER_TRUST_PROXY', { BREAKWATER_TRUST_PROXY: '1' }), 1);
  assert.equal(setting('BREAKWATER_OUTBOUND_ALLOW', {}), undefined);
  validateEnv({});
});

test('a variable read again after its value changed gets the new value, and a refused one is refused each time', () => {
  const env: Record<string, string> = { BREAKWATER_JOB_POLL_MS: '50' };
  assert.equal(setting('BREAKWATER_JOB_POLL_MS', env), 50);
  assert.equal(setting('BREAKWATER_JOB_POLL_MS', env), 50);
  env.BREAKWATER_JOB_POLL_MS = '70';
  assert.equal(setting('BREAKWATER_JOB_POLL_MS', env), 70);
  env.BREAKWATER_JOB_POLL_MS = 'soon';
  assert.throws(() => setting('BREAKWATER_JOB_POLL_MS', env), EnvError);
  assert.throws(() => setting('BREAKWATER_JOB_POLL_MS', env), EnvError);
  delete env.BREAKWATER_JOB_POLL_MS;
  assert.equal(setting('BREAKWATER_JOB_POLL_MS', env), 500);
});

test('a refused value stops validation with an error naming the variable, never showing its value', () => {
  const cases: [string, string, RegExp][] = [
    ['BREAKWATER_JOB_POLL_MS', 'fast', /must be a number/],
    ['BREAKWATER_FLUSH_INTERVAL_MS', '-5', /must be greater than 0/],
    ['BREAKWATER_JOB_CONCURRENCY', '2.5', /must be a whole number/],
    ['BREAKWATER_JOB_WORKER', 'no', /must be on or off/],
    ['BREAKWATER_JOB_BACKOFF_MS', '5s,10s', /comma-separated milliseconds/],
    ['DATABASE_URL', 'mysql://db', /must start with file:/],
    ['BREAKWATER_ADMIN_PASSWORD', 'hunter2-pw', /at least 12 characters/],
    ['PORT', 'http', /port number/],
  ];
  for (const [name, value, problem] of cases) {
    assert.throws(
      () => validateEnv({ [name]: value }),
      (error: unknown) =>
        error instanceof EnvError &&
        error.variable === name &&
        error.message.startsWith(`${name} `) &&
        problem.test(error.message) &&
        !error.message.includes(value),
      `${name}=${value}`,
    );
  }
});
