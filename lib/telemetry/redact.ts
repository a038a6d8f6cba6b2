/** Headers whose values are credentials or personal session state: never stored, whatever the config says. */
export const ALWAYS_REDACTED_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-amz-security-token',
];
export const REDACTED = '[redacted]';
export const DEFAULT_BODY_CAP_BYTES = 4096;

export interface RedactionRules {
  /** extra header names (case-insensitive) to redact */
  headers?: string[];
  /** secret values (an integration's key) that must never be stored, wherever they appear */
  secrets?: string[];
}

/** Replaces every configured secret (4+ characters) in a text. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
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
      ALWAYS_REDACTED_HEADERS.includes(lower) || extra.has(lower) ? REDACTED : scrubSecrets(value, rules.secrets ?? []);
  }
  return out;
}

/** A body kept for the explorer: secrets scrubbed, capped, and marked when cut. */
export function redactBody(
  body: string | Uint8Array | undefined | null,
  rules: RedactionRules = {},
  cap = DEFAULT_BODY_CAP_BYTES,
): string | null {
  if (body === undefined || body === null || body.length === 0) return null;
  const bytes =
    typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const text = bytes.subarray(0, cap).toString('utf8');
  // Scrub after cutting and again over the boundary so a secret split by the cap cannot leak half-way.
  const scrubbed = scrubSecrets(bytes.subarray(0, cap + 256).toString('utf8'), rules.secrets ?? []).slice(
    0,
    text.length,
  );
  return bytes.length > cap ? `${scrubbed}…[${bytes.length - cap} more bytes]` : scrubbed;
}
