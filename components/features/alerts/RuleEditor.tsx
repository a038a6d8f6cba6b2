'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/components/ui/api';
import { StateHistory } from './AlertRules';
import type { HistoryEntry, RuleView } from './api';
import { RuleForm } from './RuleForm';

/** An existing rule: its form, then its state history. */
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
      <RuleForm key={rule.data.rule.id} rule={rule.data.rule} metrics={metrics} />
      <h2>State history</h2>
      <section className="panel">
        <StateHistory entries={rule.data.history} />
      </section>
    </>
  );
}
