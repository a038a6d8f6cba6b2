import { formatValue, METRICS, type MetricName } from './metrics';

/** Where a reader goes next: the integration's page and the explorer over the alert's range. */
export interface AlertLinks {
  integration: string;
  explorer: string;
}

export interface AlertOfGroup {
  integration: string;
  status: 'firing' | 'resolved';
  value: number | null;
  since: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** absent for an instance over every integration (a whole-queue rule) */
  links?: AlertLinks;
}

/** One notification: the instances of one rule that changed together (Alertmanager groups by rule too). */
export interface AlertGroup {
  id: string;
  status: 'firing' | 'resolved';
  at: Date;
  rule: {
    id: string;
    name: string;
    severity: string;
    metric: MetricName;
    comparator: string;
    threshold: number;
    /** the window the value is measured over, e.g. 5m */
    window: string;
  };
  alerts: AlertOfGroup[];
}

/** Fills `{{value}}`, `{{threshold}}` and `{{integration}}` (spaces inside the braces allowed). */
export function renderAnnotation(
  template: string,
  values: { metric: MetricName; value: number | null; threshold: number; integration: string },
): string {
  return template.replace(/\{\{\s*(value|threshold|integration)\s*\}\}/g, (_, name: string) => {
    if (name === 'value') return formatValue(values.metric, values.value);
    if (name === 'threshold') return formatValue(values.metric, values.threshold);
    return values.integration;
  });
}

/**
 * Links from `from` to `to` under the public URL (paths without one). The explorer is filtered to the
 * integration and the range, so it opens on the calls behind the alert.
 */
export function alertLinks(publicUrl: string | undefined, integration: string, from: Date, to: Date): AlertLinks {
  const base = publicUrl ?? '';
  const slug = encodeURIComponent(integration);
  const range = new URLSearchParams({ integration, from: from.toISOString(), to: to.toISOString() });
  return { integration: `${base}/integrations/${slug}`, explorer: `${base}/explorer?${range}` };
}

/** "p99 latency > 2000 ms over 5m": the condition in the metric's units. */
export function conditionText(rule: AlertGroup['rule']): string {
  const label = METRICS[rule.metric].label.toLowerCase();
  return `${label} ${rule.comparator} ${formatValue(rule.metric, rule.threshold)} over ${rule.window}`;
}

/** "[FIRING] Slow p99 (warning): geo 2412 ms, crm 3050 ms; latency p99 > 2000 ms over 5m" */
export function groupSummary(group: AlertGroup): string {
  const values = group.alerts.map((a) => `${a.integration} ${formatValue(group.rule.metric, a.value)}`).join(', ');
  return `[${group.status.toUpperCase()}] ${group.rule.name} (${group.rule.severity}): ${values}; ${conditionText(group.rule)}`;
}

/** The webhook body, in the Standard Webhooks shape `{ type, timestamp, data }`. */
export function webhookPayload(group: AlertGroup) {
  return {
    type: `alert.${group.status}`,
    timestamp: group.at.toISOString(),
    data: {
      id: group.id,
      status: group.status,
      summary: groupSummary(group),
      rule: group.rule,
      alerts: group.alerts.map((a) => ({ ...a, since: a.since.toISOString() })),
    },
  };
}

/** A Slack incoming-webhook body: plain mrkdwn text, which every Slack-compatible receiver accepts. */
export function slackPayload(group: AlertGroup): { text: string } {
  const icon = group.status === 'firing' ? ':rotating_light:' : ':white_check_mark:';
  const lines = group.alerts.map((a) => {
    const summary = a.annotations.summary ?? formatValue(group.rule.metric, a.value);
    const links = a.links ? ` · <${a.links.integration}|integration> · <${a.links.explorer}|calls>` : '';
    return `• *${a.integration}*: ${summary}${links}`;
  });
  return { text: [`${icon} *${groupSummary(group)}*`, ...lines].join('\n') };
}
