import type { z } from 'zod';
import type { DomainError } from '@/lib/model';
import { setting } from '@/lib/server/env';

/** The one error shape every API route answers with: a status, a message and, for bad input, the field. */
export interface ApiErrorBody {
  error: string;
  field?: string;
  issues?: { field: string; message: string }[];
}

export function jsonError(
  status: number,
  error: string,
  extra: Omit<ApiErrorBody, 'error'> = {},
  headers?: HeadersInit,
) {
  return Response.json({ error, ...extra } satisfies ApiErrorBody, { status, headers });
}

export const unauthorized = () =>
  jsonError(401, 'authentication required: sign in, or send Authorization: Bearer <token>');
export const notFound = (what: string) => jsonError(404, `${what} not found`);

/** The answer to a DomainError, the one place its status, message and field become HTTP. */
/** A DomainError's answer body (`{error, field?, issues?}`), for a handler that writes node:http itself. */
export function domainErrorBody(error: DomainError): ApiErrorBody {
  const body: ApiErrorBody = { error: error.message };
  if (error.field !== undefined) body.field = error.field;
  if (error.issues) body.issues = error.issues;
  return body;
}

export function domainErrorResponse(error: DomainError, headers?: HeadersInit): Response {
  const { error: message, ...extra } = domainErrorBody(error);
  return jsonError(error.status, message, extra, headers);
}

function fieldOf(path: PropertyKey[]): string {
  return path.map(String).join('.') || '(body)';
}

export function validationError(error: z.ZodError): Response {
  const issues = error.issues.map((issue) => ({ field: fieldOf(issue.path), message: issue.message }));
  return jsonError(400, `invalid ${issues[0].field}: ${issues[0].message}`, { field: issues[0].field, issues });
}

/** Largest JSON body a route reads (the gateway has its own limit); beyond it a 413, before parsing. */
const MAX_JSON_BYTES = setting('BREAKWATER_MAX_JSON_BYTES');
/** Deeper JSON is refused before it is parsed, so no validator or query builder ever recurses into it. */
const MAX_JSON_DEPTH = 32;

// application/json, or a structured suffix such as application/merge-patch+json; parameters are fine.
const JSON_CONTENT_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;
// Text JSON can carry but no store can: a UTF-16 half without its other half ("\ud800"), which is not
// Unicode, and NUL ("\u0000"), which PostgreSQL's text type refuses.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const UNSTORABLE_TEXT = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/;

type BodyRead = { ok: true; text: string } | { ok: false; response: Response };

async function readJsonText(request: Request, maxBytes: number): Promise<BodyRead> {
  const bodyError = (status: number, error: string): BodyRead => ({
    ok: false,
    response: jsonError(status, error, { field: '(body)' }),
  });
  if (!JSON_CONTENT_TYPE.test(request.headers.get('content-type') ?? ''))
    return bodyError(415, 'the body must be JSON sent with Content-Type: application/json');
  const tooLarge = () => bodyError(413, `the JSON body exceeds ${maxBytes} bytes`);
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) return tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return tooLarge();
      }
      chunks.push(value);
    }
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return bodyError(400, 'the body is not valid UTF-8');
  }
}

/** The nesting depth of JSON text, counted without parsing or recursion; stops counting past the limit. */
function exceedsDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The path of the first key or string holding unstorable text, walked with a stack rather than recursion. */
function unstorableTextField(value: unknown): string | null {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      if (UNSTORABLE_TEXT.test(item.value)) return fieldOf(item.path);
    } else if (item.value !== null && typeof item.value === 'object') {
      for (const [key, child] of Object.entries(item.value)) {
        const path = [...item.path, key];
        if (UNSTORABLE_TEXT.test(key)) return fieldOf(path);
        stack.push({ value: child, path });
      }
    }
  }
  return null;
}

/**
 * Reads and validates a JSON body: 415 unless it is sent as JSON, 413 past MAX_JSON_BYTES (declared or
 * streamed), 400 naming the field for malformed or too deeply nested JSON, lone surrogates, NUL or bad values.
 * `maxBytes` raises the limit for routes whose bodies carry a call's body (jobs, batches, replays).
 */
export async function parseJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
  { maxBytes = MAX_JSON_BYTES }: { maxBytes?: number } = {},
): Promise<{ ok: true; data: z.output<S> } | { ok: false; response: Response }> {
  const body = await readJsonText(request, maxBytes);
  if (!body.ok) return body;
  if (exceedsDepth(body.text, MAX_JSON_DEPTH))
    return {
      ok: false,
      response: jsonError(400, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, { field: '(body)' }),
    };
  let raw: unknown;
  try {
    raw = JSON.parse(body.text);
  } catch {
    return { ok: false, response: jsonError(400, 'malformed JSON body', { field: '(body)' }) };
  }
  const unstorableField = unstorableTextField(raw);
  if (unstorableField !== null)
    return {
      ok: false,
      response: jsonError(400, `invalid ${unstorableField}: contains a lone UTF-16 surrogate or NUL`, {
        field: unstorableField,
      }),
    };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, response: validationError(parsed.error) };
  return { ok: true, data: parsed.data };
}

/**
 * A path whose segments decode to text no database stores (NUL, "%00"): refused with a 400 before any
 * route looks a segment up. Malformed percent-encoding is proxy.ts's to refuse.
 */
export function unstorablePathResponse(request: Request): Response | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url).pathname);
  } catch {
    return null;
  }
  return UNSTORABLE_TEXT.test(path) ? jsonError(400, 'the path contains NUL', { field: '(path)' }) : null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What makes a raw request path unusable, for handlers that see the path before any router (the data
 * plane): malformed percent-encoding, bytes that are not UTF-8 or a lone surrogate, and NUL. Null if fine.
 */
export function pathProblem(rawPathname: string): ApiErrorBody | null {
  let path: string;
  try {
    path = decodeURIComponent(rawPathname);
  } catch {
    return { error: 'malformed URL path: bad percent-encoding', field: '(path)' };
  }
  if (LONE_SURROGATE.test(path)) return { error: 'malformed URL path: bad percent-encoding', field: '(path)' };
  return UNSTORABLE_TEXT.test(path) ? { error: 'the path contains NUL', field: '(path)' } : null;
}

/**
 * Reads and validates a request's query string. An empty value (a blank form field) means the parameter
 * was not given, so it is "no filter" rather than an invalid one. Answers 400 naming the field.
 */
export function parseQuery<S extends z.ZodType>(
  request: Request,
  schema: S,
): { ok: true; data: z.output<S> } | { ok: false; response: Response } {
  const given = [...new URL(request.url).searchParams].filter(([, value]) => value !== '');
  const unstorable = given.find(([name, value]) => UNSTORABLE_TEXT.test(name) || UNSTORABLE_TEXT.test(value));
  if (unstorable)
    return { ok: false, response: jsonError(400, `invalid ${unstorable[0]}: contains NUL`, { field: unstorable[0] }) };
  const parsed = schema.safeParse(Object.fromEntries(given));
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, response: validationError(parsed.error) };
}
