import type { BodyCapture } from '@/lib/model';

/**
 * The one home of redaction: what is stored or shown (call log, attempts, job results, webhook events,
 * replay dry runs, logs) passes through here. Two rules, applied together:
 * - by NAME: headers, query/form parameters and JSON fields (at any depth) whose name says credential or
 *   payment/identity data lose their value;
 * - by VALUE: every configured secret is scrubbed in each encoding it can travel in (raw, base64 at any
 *   alignment so `Basic user:secret` is caught too, base64url, URL and form encoding, hex, JSON-escaped).
 */
export const REDACTED = '[redacted]';
export const DEFAULT_BODY_CAP_BYTES = 4096;

export interface RedactionRules {
  /** extra header names (case-insensitive) to redact */
  headers?: string[];
  /** secret values (an integration's key) that must never be stored, in any encoding */
  secrets?: readonly string[];
  /** what of a call is kept beyond its path and outcome (default: redacted bodies) */
  capture?: BodyCapture;
}

// Names compared lowercased with separators removed, so `api_key`, `Api-Key` and `apiKey` are one name.
const SENSITIVE_PARTS = [
  'authorization',
  'token',
  'secret',
  'passw',
  'apikey',
  'session',
  'signature',
  'cookie',
  'credential',
  'privatekey',
  'cardnumber',
  'creditcard',
  'securitycode',
  'csrf',
  'xsrf',
];
const SENSITIVE_NAMES = new Set([
  'auth',
  'key',
  'sig',
  'pwd',
  'pin',
  'otp',
  'jwt',
  'card',
  'cardno',
  'pan',
  'cvc',
  'cvc2',
  'cvv',
  'cvv2',
  'iban',
  'ssn',
  'accountnumber',
]);
/** `x-<vendor>-key`, `x-auth-...`, `...-auth`: vendor credentials named after the vendor */
const SENSITIVE_PATTERN = /^x-.+-key$|^x-auth|auth$/;

function normalized(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** True when a header, parameter or field of this name carries a credential or card/identity data. */
export function isSensitiveName(name: string): boolean {
  const lower = name.toLowerCase();
  const flat = normalized(name);
  if (flat.includes('idempotency')) return false;
  return (
    SENSITIVE_NAMES.has(flat) || SENSITIVE_PARTS.some((part) => flat.includes(part)) || SENSITIVE_PATTERN.test(lower)
  );
}

/** The stable middle of base64(secret) when the secret starts `offset` bytes into the encoded text. */
function base64Core(secret: Buffer, offset: number): string {
  const padded = Buffer.concat([Buffer.alloc(offset), secret]);
  const text = padded.toString('base64').replace(/=+$/, '');
  const total = padded.length;
  const end = Math.floor(total / 3) * 4 + [0, 1, 2][total % 3];
  return text.slice([0, 2, 3][offset], end);
}

function hexOf(value: string): string {
  return Buffer.from(value).toString('hex');
}

/** Every spelling of one secret that could land in a stored text. */
export function secretEncodings(secret: string): string[] {
  if (secret.length < 4) return [];
  const bytes = Buffer.from(secret);
  const url = encodeURIComponent(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  const spellings = [
    secret,
    url,
    url.replace(/%[0-9A-F]{2}/g, (percent) => percent.toLowerCase()),
    url.replace(/%20/g, '+'),
    new URLSearchParams({ s: secret }).toString().slice(2),
    encodeURI(secret),
    hexOf(secret),
    hexOf(secret).toUpperCase(),
    json,
    json.replace(/\//g, '\\/'),
    json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  ];
  for (const offset of [0, 1, 2]) {
    const core = base64Core(bytes, offset);
    if (core.length >= 6) spellings.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  // Longest first, so a spelling that contains another is replaced whole.
  return [...new Set(spellings)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

const encodingsCache = new Map<string, string[]>();

function needlesOf(secrets: readonly string[]): string[] {
  const needles: string[] = [];
  for (const secret of secrets) {
    let encodings = encodingsCache.get(secret);
    if (!encodings) {
      if (encodingsCache.size > 1000) encodingsCache.clear();
      encodings = secretEncodings(secret);
      encodingsCache.set(secret, encodings);
    }
    needles.push(...encodings);
  }
  return secrets.length > 1 ? needles.sort((a, b) => b.length - a.length) : needles;
}

/** Replaces every configured secret, in each of its encodings, in a text. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const needle of needlesOf(secrets)) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
  return out;
}

// `name=value` after `?`, `&`, `;` or at the start: query strings inside URLs anywhere in a text, and form bodies.
const PARAMETER = /(^|[?&;])([^=&;?#\s"'<>]{1,100})=([^&;#\s"'<>]*)/g;

/** Values of sensitive query or form parameters, wherever a URL or form appears in the text. */
export function redactParameters(text: string): string {
  return text.replace(PARAMETER, (match, lead: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {}
    return isSensitiveName(decoded) ? `${lead}${name}=${REDACTED}` : match;
  });
}

/** The index just past the JSON value starting at `start` (the text's end when it is cut). */
function jsonValueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return i + 1;
      }
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) return i;
      depth--;
      if (depth === 0) return i + 1;
    } else if (depth === 0 && (c === ',' || /\s/.test(c))) return i;
  }
  return text.length;
}

const JSON_KEY = /"((?:[^"\\]|\\.){1,200})"\s*:\s*/g;

/** Sensitive fields of JSON that could not be parsed (cut by the cap, or embedded in other text). */
function redactJsonText(text: string): string {
  let out = '';
  let last = 0;
  JSON_KEY.lastIndex = 0;
  for (let match = JSON_KEY.exec(text); match; match = JSON_KEY.exec(text)) {
    if (!isSensitiveName(match[1])) continue;
    const start = match.index + match[0].length;
    const end = jsonValueEnd(text, start);
    out += `${text.slice(last, start)}"${REDACTED}"`;
    last = end;
    JSON_KEY.lastIndex = Math.max(end, start);
  }
  return out + text.slice(last);
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}

/** A parsed JSON value with sensitive fields replaced; strings holding JSON or URLs are redacted too. */
function redactJsonValue(value: unknown): unknown {
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map(redactJsonValue);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, isSensitiveName(key) ? REDACTED : redactJsonValue(inner)]),
    );
  return value;
}

function redactString(text: string): string {
  if (looksLikeJson(text)) {
    try {
      const parsed = JSON.parse(text) as unknown;
      const redacted = redactJsonValue(parsed);
      // Unchanged JSON keeps its exact bytes (a replay sends what was recorded).
      const same = JSON.stringify(redacted) === JSON.stringify(parsed);
      return same ? text : JSON.stringify(redacted);
    } catch {
      return redactParameters(redactJsonText(text));
    }
  }
  return redactParameters(redactJsonText(text));
}

/** A text as it may be stored or shown: sensitive fields and parameters by name, and every secret encoding. */
export function redactText(text: string, rules: RedactionRules = {}): string {
  return scrubSecrets(redactString(text), rules.secrets ?? []);
}

export function redactHeaders(
  headers: Record<string, string> | undefined,
  rules: RedactionRules = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const extra = new Set((rules.headers ?? []).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    out[lower] =
      isSensitiveName(lower) || extra.has(lower)
        ? REDACTED
        : scrubSecrets(redactParameters(value), rules.secrets ?? []);
  }
  return out;
}

/**
 * A body kept for the explorer: sensitive fields and secrets redacted, capped, and marked when cut.
 * `fullLength` is the whole body's length when `body` is only its first bytes (the bounded copy of a
 * streamed body), so the mark counts what was never kept. NUL characters become U+FFFD: PostgreSQL text
 * cannot hold them, and one binary body must not fail a whole call-log write.
 */
export function redactBody(
  body: string | Uint8Array | undefined | null,
  rules: RedactionRules = {},
  cap = DEFAULT_BODY_CAP_BYTES,
  fullLength?: number,
): string | null {
  if (body === undefined || body === null || body.length === 0) return null;
  const bytes =
    typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const unseen = Math.max(0, (fullLength ?? bytes.length) - bytes.length);
  // Redacted whole (up to a bound) before cutting, so a field or secret split by the cap cannot leak half-way.
  const scanned = Math.min(bytes.length, Math.max(cap * 16, 65_536));
  const text = bytes.subarray(0, scanned).toString('utf8').replaceAll('\0', '\uFFFD');
  const redacted = Buffer.from(redactText(text, rules));
  if (redacted.length <= cap && scanned === bytes.length && unseen === 0) return redacted.toString('utf8');
  const kept = redacted
    .subarray(0, cap)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  const more = Math.max(0, redacted.length - cap) + (bytes.length - scanned) + unseen;
  return `${kept}…[${more} more bytes]`;
}
