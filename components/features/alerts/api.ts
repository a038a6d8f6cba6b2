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
