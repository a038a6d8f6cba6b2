import { formatValue, type MetricName } from './metrics';

export interface AlertOfGroup {
  integration: string;
  status: 'firing' | 'resolved';
  value: number | null;
  since: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** One notification: the instances of one rule that changed together (Alertmanager groups by rule too). */
export interface AlertGroup {
  id: string;
  status: 'firing' | 'resolved';
  at: Date;
  rule: { id: string; name: string; severity: string; metric: MetricName; comparator: string; threshold: number };
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

export function groupSummary(group: AlertGroup): string {
  const integrations = group.alerts.map((a) => a.integration).join(', ');
  return `[${group.status.toUpperCase()}] ${group.rule.name} (${group.rule.severity}): ${integrations}`;
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
  const lines = group.alerts.map(
    (a) => `• *${a.integration}*: ${a.annotations.summary ?? formatValue(group.rule.metric, a.value)}`,
  );
  return { text: [`${icon} *${groupSummary(group)}*`, ...lines].join('\n') };
}
