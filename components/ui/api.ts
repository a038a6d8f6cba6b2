/** A JSON value as it arrives over the wire: dates become ISO strings. */
export type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export interface FieldIssue {
  field: string;
  message: string;
}

/** An API answer that was not 2xx, with the field-level issues of a 400 (lib/api's one error shape). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }

  /** The first message per field, for forms that show one error beside each input. */
  get fields(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const issue of this.issues) fields[issue.field] ??= issue.message;
    return fields;
  }
}

/** The workspace the page is about (its `ws` parameter, which the proxy puts on every page URL). */
function pageWorkspace(): string | null {
  return typeof window === 'undefined' ? null : new URLSearchParams(window.location.search).get('ws');
}

/** Every API call a page makes is about the page's workspace, whatever another tab chose since. */
export async function fetchJson<T>(input: string, init?: RequestInit): Promise<T> {
  const headers = new Headers(init?.headers);
  const ws = pageWorkspace();
  if (ws && !headers.has('x-breakwater-workspace')) headers.set('x-breakwater-workspace', ws);
  const response = await fetch(input, { ...init, headers });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    const issues: FieldIssue[] = body?.issues ?? (body?.field ? [{ field: body.field, message: body.error }] : []);
    throw new ApiError(body?.error ?? `HTTP ${response.status}`, response.status, issues);
  }
  return response.status === 204 ? (undefined as T) : response.json();
}

export function sendJson<T>(input: string, method: string, body: unknown): Promise<T> {
  return fetchJson<T>(input, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
