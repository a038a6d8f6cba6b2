'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchJson, sendJson } from '@/components/ui/api';
import { StateHistory } from './AlertRules';
import type { HistoryEntry, RuleView } from './api';
import { RuleForm } from './RuleForm';
import { type PreviewData, RulePreviews } from './RulePreview';

/** How often the live metric under the form is read again (it moves a point a minute). */
const LIVE_METRIC_MS = 30_000;

/** The saved rule's metric and threshold now, for every integration in its scope, read again as it moves. */
function LiveMetric({ rule }: { rule: RuleView }) {
  const { id: _, ...definition } = rule;
  const live = useQuery({
    queryKey: ['alert-rule-live', rule],
    queryFn: () => sendJson<{ previews: PreviewData[] }>('/api/alerts/preview', 'POST', { rule: definition }),
    refetchInterval: LIVE_METRIC_MS,
  });
  if (live.isPending) return <p className="muted">Loading the metric…</p>;
  if (live.error) return <p className="muted">{live.error.message}</p>;
  return <RulePreviews previews={live.data.previews} />;
}

/** An existing rule: its live metric against its threshold, its form, then its state history. */
export function RuleEditor({ id, metrics }: { id: string; metrics: [string, string][] }) {
  const rule = useQuery({
    queryKey: ['alert-rule', id],
    queryFn: () => fetchJson<{ rule: RuleView; history: HistoryEntry[] }>(`/api/alerts/rules/${id}`),
    refetchInterval: 5000,
  });
  if (rule.isPending) return <p className="muted">Loading rule…</p>;
  if (rule.error)
    return (
      <p className="alert" role="alert">
        {rule.error.message}
      </p>
    );
  return (
    <>
      <h2>Live metric</h2>
      <section className="panel" data-testid="live-metric">
        <LiveMetric rule={rule.data.rule} />
      </section>
      <h2>Definition</h2>
      <RuleForm key={rule.data.rule.id} rule={rule.data.rule} metrics={metrics} />
      <h2>State history</h2>
      <section className="panel">
        <StateHistory entries={rule.data.history} />
      </section>
    </>
  );
}
