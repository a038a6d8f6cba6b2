import { z } from 'zod';

// Every environment variable Breakwater reads, with its default, in one schema. The README's tables are
// checked against it (env.test.ts); the server validates all of it at start (an error names the
// variable), and code reads a value through `setting(name)`, never `process.env` directly. Imports only
// zod, so every layer may read settings. OTEL_* are read by the OpenTelemetry SDK itself and not here.

type Env = Record<string, string | undefined>;

/** An unset or empty variable takes the default. */
const unset = (value: unknown) => (value === undefined || value === '' ? undefined : value);

function positive(fallback: number, { integer = false } = {}) {
  const number = integer ? z.number('must be a number').int('must be a whole number') : z.number('must be a number');
  return z.preprocess(
    (value) => (unset(value) === undefined ? undefined : Number(value)),
    number.positive('must be greater than 0').default(fallback),
  );
}

const count = (fallback: number) => positive(fallback, { integer: true });
const onOff = z.preprocess(unset, z.enum(['on', 'off'], 'must be on or off').default('on'));
const trueFalse = (fallback: 'true' | 'false') =>
  z.preprocess(
    unset,
    z
      .enum(['true', 'false'], 'must be true or false')
      .default(fallback)
      .transform((value) => value === 'true'),
  );
const text = z.preprocess(unset, z.string().optional());

interface Variable<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** the default as the README's tables write it */
  documentedDefault: string;
}

const v = <S extends z.ZodType>(schema: S, documentedDefault: string): Variable<S> => ({ schema, documentedDefault });

export const ENV_VARIABLES = {
  DATABASE_URL: v(
    z.preprocess(
      (value) => (typeof value === 'string' ? unset(value.trim()) : value),
      z
        .string()
        .regex(/^(file:|postgres:\/\/|postgresql:\/\/)/, 'must start with file: (SQLite) or postgres:// (PostgreSQL)')
        .default('file:./data/breakwater.db'),
    ),
    '`file:./data/breakwater.db`',
  ),
  PORT: v(
    z.preprocess(
      unset,
      z.coerce.number('must be a port number').int('must be a port number').min(1).max(65_535).optional(),
    ),
    'set by `server.ts`',
  ),
  LOG_LEVEL: v(
    z.preprocess(unset, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
    'info',
  ),
  BREAKWATER_ADMIN_PASSWORD: v(
    z.preprocess(unset, z.string().min(12, 'must be at least 12 characters').optional()),
    'generated, printed once',
  ),
  BREAKWATER_SECRET_NAMES: v(text, 'empty'),
  BREAKWATER_SECRET_PINS: v(text, 'no pins'),
  BREAKWATER_MAX_BODY_BYTES: v(count(10 * 1024 * 1024), '10 MiB'),
  BREAKWATER_RETRY_BUFFER_BYTES: v(count(1024 * 1024), '1 MiB'),
  BREAKWATER_BODY_TIMEOUT_MS: v(positive(30_000), '30000'),
  BREAKWATER_MAX_JSON_BYTES: v(count(64 * 1024), '64 KiB'),
  BREAKWATER_FLUSH_INTERVAL_MS: v(positive(1000), '1000'),
  BREAKWATER_CONFIG_POLL_MS: v(positive(500), '500'),
  BREAKWATER_SUCCESSES_KEPT_PER_SECOND: v(positive(5), '5'),
  BREAKWATER_SLOW_CALL_MS: v(positive(1000), '1000'),
  BREAKWATER_MAX_PENDING_CALLS: v(count(10_000), '10000'),
  BREAKWATER_RETENTION_JOB_DAYS: v(positive(14), '14'),
  BREAKWATER_RETENTION_SYNC_DAYS: v(positive(30), '30'),
  BREAKWATER_RETENTION_WEBHOOK_EVENT_DAYS: v(positive(30), '30'),
  BREAKWATER_RETENTION_WEBHOOK_COUNT_DAYS: v(positive(90), '90'),
  BREAKWATER_RETENTION_QUEUE_SAMPLE_DAYS: v(positive(7), '7'),
  BREAKWATER_RETENTION_CALL_LOG_DAYS: v(positive(7), '7'),
  BREAKWATER_RETENTION_MINUTE_ROLLUP_DAYS: v(positive(7), '7'),
  BREAKWATER_RETENTION_HOURLY_ROLLUP_DAYS: v(positive(90), '90'),
  BREAKWATER_RETENTION_BREAKER_EVENT_DAYS: v(positive(90), '90'),
  BREAKWATER_AUDIT_RETENTION_DAYS: v(positive(365), '365'),
  BREAKWATER_RETENTION_INTERVAL_MS: v(positive(10 * 60_000), '600000'),
  BREAKWATER_OUTBOUND_ALLOW: v(text, 'none: only public addresses'),
  BREAKWATER_PUBLIC_URL: v(
    z.preprocess(
      unset,
      z
        .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://breakwater.example.com' })
        .transform((value) => value.replace(/\/+$/, ''))
        .optional(),
    ),
    'none: links in notifications are paths',
  ),
  BREAKWATER_TRUST_PROXY: v(
    z.preprocess(
      unset,
      z.coerce.number('must be a whole number').int('must be a whole number').min(0, 'must be 0 or more').default(0),
    ),
    '0',
  ),
  BREAKWATER_TRUST_REQUEST_ID: v(trueFalse('true'), 'true'),
  BREAKWATER_JOB_WORKER: v(onOff, 'on'),
  BREAKWATER_JOB_BACKOFF_MS: v(
    z.preprocess(
      unset,
      z
        .string()
        .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be comma-separated milliseconds')
        .optional(),
    ),
    '`5000,300000,1800000,7200000,18000000,36000000`',
  ),
  BREAKWATER_JOB_LEASE_MS: v(positive(5 * 60_000), '300000'),
  BREAKWATER_JOB_CONCURRENCY: v(count(10), '10'),
  BREAKWATER_JOB_POLL_MS: v(positive(500), '500'),
  BREAKWATER_JOB_MAX_BODY_BYTES: v(count(256 * 1024), '262144'),
  BREAKWATER_QUEUE_SAMPLE_MS: v(positive(15_000), '15000'),
  BREAKWATER_REPLAY_RUNS: v(count(2), '2'),
  BREAKWATER_REPLAY_POLL_MS: v(positive(1000), '1000'),
  BREAKWATER_REPLAY_LEASE_MS: v(positive(30_000), '30000'),
  BREAKWATER_SYNC_RUNNER: v(onOff, 'on'),
  BREAKWATER_SYNC_POLL_MS: v(positive(1000), '1000'),
  BREAKWATER_SYNC_CONCURRENCY: v(count(4), '4'),
  BREAKWATER_SYNC_LEASE_MS: v(positive(120_000), '120000'),
  BREAKWATER_WEBHOOK_CATCHUP_MS: v(positive(300_000), '300000'),
  BREAKWATER_WEBHOOK_BATCH_MS: v(positive(5), '5'),
  BREAKWATER_WEBHOOK_BATCH_MAX: v(count(200), '200'),
  BREAKWATER_INSTANCE_ID: v(text, '<host>-<pid>-<random>'),
  BREAKWATER_TELEMETRY_JOURNAL_DIR: v(z.preprocess(unset, z.string().default('./data/journal')), '`./data/journal`'),
  BREAKWATER_HEARTBEAT_MS: v(positive(5000), '5000'),
  BREAKWATER_ALERT_EVAL_INTERVAL_MS: v(positive(30_000), '30000'),
  BREAKWATER_MIGRATE_DEBUG: v(text, 'off'),
  REDIS_URL: v(
    z.preprocess(
      unset,
      z
        .string()
        .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
        .optional(),
    ),
    'none: every instance keeps its own state',
  ),
  BREAKWATER_REDIS_TIMEOUT_MS: v(positive(100), '100'),
  BREAKWATER_REDIS_PREFIX: v(z.preprocess(unset, z.string().max(64).default('breakwater:')), '`breakwater:`'),
  BREAKWATER_IDEMPOTENCY_RETENTION_MS: v(positive(24 * 3_600_000), '86400000 (24 h)'),
} satisfies Record<string, Variable>;

export type SettingName = keyof typeof ENV_VARIABLES;
export type Setting<N extends SettingName> = z.output<(typeof ENV_VARIABLES)[N]['schema']>;

/** A variable with a value its schema refuses. The message names the variable, never its value (it may be a secret). */
export class EnvError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'EnvError';
    this.variable = variable;
  }
}

/**
 * The last accepted value of each variable with the raw text it came from: some settings are read on every
 * gateway call, and a parse costs more than the call's own work. Values are primitives, so sharing is safe;
 * a changed variable (tests set process.env) is parsed again.
 */
const lastParsed = new Map<SettingName, { raw: string | undefined; value: unknown }>();

/** Checks every variable at start, so a typo stops the server with its name instead of a later failure. */
export function validateEnv(env: Env = process.env): void {
  for (const name of Object.keys(ENV_VARIABLES) as SettingName[]) setting(name, env);
}

/** The parsed value of one variable, or its default; an EnvError naming it when its value is refused. */
export function setting<N extends SettingName>(name: N, env: Env = process.env): Setting<N> {
  const raw = env[name];
  const last = lastParsed.get(name);
  if (last && last.raw === raw) return last.value as Setting<N>;
  const parsed = ENV_VARIABLES[name].schema.safeParse(raw);
  if (!parsed.success) throw new EnvError(name, parsed.error.issues[0].message);
  lastParsed.set(name, { raw, value: parsed.data });
  return parsed.data as Setting<N>;
}
