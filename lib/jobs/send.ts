import { activeTarget, forwardCall, type Integration, upstreamPath } from '@/lib/integrations';
import type { ResilientResponse } from '@/lib/resilience';

/** A call as jobs, batches and replays store it: a path relative to the integration's base URL. */
export interface StoredRequest {
  method: string;
  /** path and optional query relative to the integration base, e.g. "/charges?limit=5" */
  path: string;
  headers: Record<string, string>;
  body?: string | null;
}

/** Splits a relative path into the segments and query the gateway's `forwardCall` takes. */
export function splitPath(path: string): { segments: string[]; search: string } {
  const queryAt = path.indexOf('?');
  const pathname = queryAt < 0 ? path : path.slice(0, queryAt);
  const search = queryAt < 0 ? '' : path.slice(queryAt);
  const segments = pathname
    .replace(/^\/+/, '')
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
  return { segments: segments.length === 1 && segments[0] === '' ? [] : segments, search };
}

/**
 * The request path recorded in the call log is the full upstream path (the base URL's path first); the
 * replayable form is relative to the base.
 */
export function relativeToBase(baseUrl: string, recordedPath: string): string {
  const prefix = new URL(baseUrl).pathname.replace(/\/+$/, '');
  if (
    prefix &&
    (recordedPath === prefix || recordedPath.startsWith(`${prefix}/`) || recordedPath.startsWith(`${prefix}?`))
  )
    return recordedPath.slice(prefix.length) || '/';
  return recordedPath;
}

/** Usage and cost count calls by caller: these name the background ones (tags of sendStored). */
export const JOB_CALLER: Readonly<Record<string, string>> = { caller: 'job' };
export const BATCH_CALLER: Readonly<Record<string, string>> = { caller: 'batch' };

/**
 * Sends a stored request through the integration's one resilient client, exactly as the gateway does:
 * same limits, breaker and telemetry, credentials injected by `forwardCall` from the integration's variable.
 */
export function sendStored(
  integration: Integration,
  request: StoredRequest,
  requestId: string,
  signal?: AbortSignal,
  tags?: Readonly<Record<string, string>>,
): Promise<ResilientResponse> {
  const { segments, search } = splitPath(request.path);
  return forwardCall(integration, {
    method: request.method.toUpperCase(),
    segments,
    search,
    headers: request.headers,
    body: request.body ? Buffer.from(request.body) : undefined,
    requestId,
    signal,
    tags,
  });
}

/** The integration's idempotency header name, as its client will send it. */
export function idempotencyHeader(integration: Integration): string {
  return integration.policy.idempotency.header;
}

/** Headers with one name set case-insensitively (any other spelling removed). */
export function withHeader(headers: Record<string, string>, name: string, value: string | undefined) {
  const out: Record<string, string> = {};
  const lower = name.toLowerCase();
  for (const [key, v] of Object.entries(headers)) if (key.toLowerCase() !== lower) out[key] = v;
  if (value !== undefined) out[lower] = value;
  return out;
}

export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, v] of Object.entries(headers)) if (key.toLowerCase() === lower) return v;
  return undefined;
}

/** Throws UnsafePathError (field "path") for a path the gateway would refuse, before anything is stored. */
export function assertSafePath(integration: Integration, path: string): void {
  const { segments, search } = splitPath(path);
  upstreamPath(activeTarget(integration).baseUrl, segments, search);
}
