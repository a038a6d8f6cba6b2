import { DomainError } from '@/lib/model';

/**
 * Joins a gateway request's path segments onto an integration's base URL. The origin always comes from
 * the integration, and every segment is checked and re-encoded, so no input can reach another host or
 * climb above the base path.
 */
export class UnsafePathError extends DomainError {
  /** `field` is the input that held the path, for a caller that checks a path given under another name. */
  constructor(message: string, field = 'path') {
    super(message, 400, 'unsafe_path', field);
  }
}

// A scheme-like first segment ("http:", "file:") means someone is trying to pass an absolute URL.
const SCHEME = /^[a-z][a-z0-9+.-]*:$/i;
// Control characters and the separators that would change how the path is read after decoding.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f\\/]/;

export function upstreamPath(baseUrl: string, segments: readonly string[], search = ''): string {
  if (segments.length > 0 && SCHEME.test(segments[0]))
    throw new UnsafePathError('absolute URLs are not allowed in the gateway path');
  const encoded = segments.map((segment) => {
    if (segment === '' || segment === '.' || segment === '..')
      throw new UnsafePathError(`path segment "${segment}" is not allowed`);
    if (FORBIDDEN.test(segment))
      throw new UnsafePathError('path segments may not contain slashes, backslashes or control characters');
    return encodeURIComponent(segment);
  });
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const query = search && search !== '?' ? (search.startsWith('?') ? search : `?${search}`) : '';
  return `${prefix}/${encoded.join('/')}${query}`;
}

// Numeric ids, UUIDs, hex hashes, long opaque tokens, and any token that mixes letters and digits (`p17`,
// `ch_3Nf8abc`, `2024-05-01`): like Datadog's URL quantization, a segment holding a digit is a value, not a
// name, unless it is an API version (`v1`, `v2beta1`, `v1.2`). A name with a digit (`oauth2`) is kept by a
// template of the integration's own.
const OPAQUE = /^([0-9a-f]{16,}|[A-Za-z0-9_-]{20,})$/i;
const VERSION = /^v\d+(\.\d+)*([a-z]+\d*)?$/i;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function segmentTemplate(segment: string): string {
  if (EMAIL.test(segment)) return ':email';
  if (VERSION.test(segment)) return segment;
  if (/\d/.test(segment) || OPAQUE.test(segment)) return ':id';
  return segment;
}

/** The default route template for telemetry: ids become `:id`, so metrics are per route, not per resource. */
export function routeTemplate(segments: readonly string[]): string {
  return `/${segments.map(segmentTemplate).join('/')}`;
}
