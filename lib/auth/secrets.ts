import { createHash, randomBytes } from 'node:crypto';

/** A random, URL-safe secret with a readable prefix (e.g. `bw_` for API tokens). */
export function randomSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Tokens and session ids are high-entropy, so a fast hash suffices; a leaked table yields nothing usable. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
