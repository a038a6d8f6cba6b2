import type { z } from 'zod';

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

function fieldOf(path: PropertyKey[]): string {
  return path.map(String).join('.') || '(body)';
}

export function validationError(error: z.ZodError): Response {
  const issues = error.issues.map((issue) => ({ field: fieldOf(issue.path), message: issue.message }));
  return jsonError(400, `invalid ${issues[0].field}: ${issues[0].message}`, { field: issues[0].field, issues });
}

/** Reads and validates a JSON body; answers 400 naming the field for malformed JSON or bad values. */
export async function parseJsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<{ ok: true; data: z.output<S> } | { ok: false; response: Response }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await request.text());
  } catch {
    return { ok: false, response: jsonError(400, 'malformed JSON body', { field: '(body)' }) };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, response: validationError(parsed.error) };
  return { ok: true, data: parsed.data };
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
  const parsed = schema.safeParse(Object.fromEntries(given));
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, response: validationError(parsed.error) };
}
