/** An API error with the fields the server named, so forms can show each beside its input. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function api<T>(input: string, init?: RequestInit & { json?: unknown }): Promise<T> {
  const { json, ...rest } = init ?? {};
  const response = await fetch(input, {
    ...rest,
    ...(json === undefined
      ? {}
      : { method: rest.method ?? 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    const fields: Record<string, string> = {};
    for (const issue of body?.issues ?? []) fields[issue.field] ??= issue.message;
    if (body?.field && !body.issues) fields[body.field] = body.error;
    throw new ApiError(body?.error ?? `HTTP ${response.status}`, fields);
  }
  return response.status === 204 ? (undefined as T) : response.json();
}

export interface RuleView {
  id: string;
  name: string;
  enabled: boolean;
  integrations: string[];
  route?: string | null;
  metric: string;
  comparator: string;
  threshold: number;
  window: string;
  for: string;
  keepFiringFor: string;
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  noData: string;
  repeatInterval: string;
}

export interface InstanceView {
  id: string;
  ruleId: string;
  integrationSlug: string;
  state: 'inactive' | 'pending' | 'firing' | 'resolved';
  since: string;
  display: string;
  silenced: boolean;
}

export interface HistoryEntry {
  id: number;
  at: string;
  ruleName: string;
  integrationSlug: string;
  from: string;
  to: string;
  display: string;
}

const STATE_CLASS = { firing: 'status-bad', pending: 'status-warn', resolved: 'status-ok', inactive: 'muted' };

export function stateClass(state: string): string {
  return STATE_CLASS[state as keyof typeof STATE_CLASS] ?? 'muted';
}

export function when(iso: string): string {
  return new Date(iso).toLocaleString();
}
