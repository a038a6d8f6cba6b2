import { z } from 'zod';
import { DomainError } from '@/lib/model';

/**
 * Secrets are environment variables the operator exposed, optionally pinned to origins. Everything that
 * sends, signs with or verifies with a secret reads it through `readSecret`; every schema that takes a
 * secret's name uses `secretNameSchema`. The environment is read at call time (never cached), so a
 * change of exposure or pins applies to the next request.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export const SECRET_PREFIX = 'BREAKWATER_SECRET_';
export const SECRET_NAMES_VARIABLE = 'BREAKWATER_SECRET_NAMES';
export const SECRET_PINS_VARIABLE = 'BREAKWATER_SECRET_PINS';
export const NOT_EXPOSED_MESSAGE = `must be an exposed secret: a variable named ${SECRET_PREFIX}* or listed in ${SECRET_NAMES_VARIABLE}`;

// The exposure settings themselves configure secrets; they are not secrets anyone may send or sign with.
const CONTROL_VARIABLES = new Set([SECRET_NAMES_VARIABLE, SECRET_PINS_VARIABLE]);

/**
 * Parses a settings string once per distinct value: secrets are read on every gateway call, and the
 * environment is still read each time, so a changed value applies to the next call.
 */
function parsedOnce<T>(parse: (raw: string) => T): (raw: string) => T {
  let last: { raw: string; parsed: T } | undefined;
  return (raw) => {
    if (last?.raw !== raw) last = { raw, parsed: parse(raw) };
    return last.parsed;
  };
}

const parseNames = parsedOnce(
  (raw) =>
    new Set(
      raw
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
);

function listedNames(env: Env): ReadonlySet<string> {
  return parseNames(env[SECRET_NAMES_VARIABLE] ?? '');
}

/** True only for names the operator exposed: `BREAKWATER_SECRET_*`, or listed in BREAKWATER_SECRET_NAMES. */
export function isExposedSecretName(name: string, env: Env = process.env): boolean {
  if (CONTROL_VARIABLES.has(name)) return false;
  return (name.startsWith(SECRET_PREFIX) && name.length > SECRET_PREFIX.length) || listedNames(env).has(name);
}

/** The values of every exposed secret that is set: what logs must never carry, whoever names them. */
export function exposedSecretValues(env: Env = process.env): string[] {
  const values: string[] = [];
  const names = new Set([...Object.keys(env).filter((name) => name.startsWith(SECRET_PREFIX)), ...listedNames(env)]);
  for (const name of names) {
    const value = env[name];
    if (value && isExposedSecretName(name, env)) values.push(value);
  }
  return values;
}

function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The origins each pinned secret may go to, from `NAME=https://a.example,https://b.example;NAME2=...`.
 * A malformed origin is dropped but its name stays pinned, so a typo fails closed (sent nowhere).
 */
export function secretPins(env: Env = process.env): ReadonlyMap<string, ReadonlySet<string>> {
  return parsePins(env[SECRET_PINS_VARIABLE] ?? '');
}

const parsePins = parsedOnce((raw) => {
  const pins = new Map<string, Set<string>>();
  for (const entry of raw.split(';')) {
    const at = entry.indexOf('=');
    if (at < 0) continue;
    const name = entry.slice(0, at).trim();
    if (!name) continue;
    const origins = pins.get(name) ?? new Set<string>();
    for (const url of entry.slice(at + 1).split(',')) {
      const origin = originOf(url.trim());
      if (origin) origins.add(origin);
    }
    pins.set(name, origins);
  }
  return pins;
});

/** Whether the secret may be sent to or signed for `url`'s origin: unpinned secrets may go anywhere. */
export function isAllowedOrigin(name: string, url: string, env: Env = process.env): boolean {
  const origins = secretPins(env).get(name);
  if (!origins) return true;
  const origin = originOf(url);
  return origin !== null && origins.has(origin);
}

/** Why a secret cannot be used; the message names the variable, never its value. */
export class SecretUnavailableError extends DomainError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message, 503, 'secret_unavailable', 'secretEnv');
  }
}

export class SecretNotExposedError extends SecretUnavailableError {
  constructor(variable: string) {
    super(
      variable,
      `the variable ${variable} is not an exposed secret (${SECRET_PREFIX}* or ${SECRET_NAMES_VARIABLE})`,
    );
  }
}

export class SecretNotSetError extends SecretUnavailableError {
  constructor(variable: string) {
    super(variable, `the secret variable ${variable} is not set on the server`);
  }
}

export class SecretPinnedError extends SecretUnavailableError {
  constructor(
    variable: string,
    readonly origin: string,
  ) {
    super(variable, `the secret ${variable} is pinned to other origins (${SECRET_PINS_VARIABLE}), not ${origin}`);
  }
}

/** Throws SecretPinnedError unless the secret may go to `url`'s origin. */
export function assertAllowedOrigin(name: string, url: string, env: Env = process.env): void {
  if (!isAllowedOrigin(name, url, env)) throw new SecretPinnedError(name, originOf(url) ?? url);
}

/**
 * The value of an exposed secret. With `origin` (where the value or a signature made with it goes), a
 * secret pinned elsewhere is refused. Throws a SecretUnavailableError naming the variable.
 */
export function readSecret(name: string, { origin }: { origin?: string } = {}, env: Env = process.env): string {
  if (!isExposedSecretName(name, env)) throw new SecretNotExposedError(name);
  if (origin !== undefined) assertAllowedOrigin(name, origin, env);
  const value = env[name];
  if (!value) throw new SecretNotSetError(name);
  return value;
}

/** What the API may report about a secret: set or not, for exposed names only (false otherwise, revealing nothing). */
export function isSecretConfigured(name: string | null | undefined, env: Env = process.env): boolean {
  return Boolean(name && isExposedSecretName(name, env) && env[name]);
}

/** The field of every schema that takes a secret's name; exposure is checked against the environment at parse time. */
export const secretNameSchema = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
    'must be an environment variable name (letters, digits, _); the secret itself is never stored',
  )
  .refine((name) => isExposedSecretName(name), NOT_EXPOSED_MESSAGE);

/**
 * For an object schema's refinement: adds an issue on the URL's field when the named secret is pinned to
 * other origins than the URL's.
 */
export function checkSecretPin(
  ctx: z.RefinementCtx,
  name: string | null | undefined,
  url: string | null | undefined,
  urlPath: PropertyKey[],
): void {
  if (!name || !url || isAllowedOrigin(name, url)) return;
  ctx.addIssue({
    code: 'custom',
    path: urlPath,
    message: `the secret ${name} is pinned to other origins (${SECRET_PINS_VARIABLE}): it is never sent or signed for this one`,
  });
}
