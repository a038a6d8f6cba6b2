const PROBE_ORIGIN = 'http://breakwater.invalid';

/**
 * Where to go after sign-in: a path on this site, or `/`. Refuses what a browser would resolve to another
 * host: `//host`, `/\host` (backslash reads as a slash), control characters (the URL parser drops tabs and
 * newlines, so `/\t/host` becomes `//host`), and absolute URLs.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  if (next.includes('\\') || [...next].some(isControlCharacter)) return '/';
  let resolved: URL;
  try {
    resolved = new URL(next, PROBE_ORIGIN);
  } catch {
    return '/';
  }
  if (resolved.origin !== PROBE_ORIGIN || next.startsWith('//')) return '/';
  return next;
}

function isControlCharacter(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}
