'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { fetchJson } from '@/components/ui/api';
import { DataTable } from '@/components/ui/DataTable';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { type HistoryEntry, type InstanceView, type RuleView, stateClass, when } from './api';

interface NotificationView {
  id: string;
  ruleName: string;
  status: string;
  at: string;
  summary: string;
  deliveries: { channel: string; ok: boolean; status?: number; error?: string }[];
}

const LIVE_MS = 2000;

/** The alerts home: every rule with each instance's state, then the in-app notifications and history. */
/** `canEdit`: the viewer's role may delete rules (editor and up); the rule page edits them. */
export function AlertRules({ canEdit = true }: { canEdit?: boolean } = {}) {
  const queryClient = useQueryClient();
  const rules = useQuery({
    queryKey: ['alert-rules'],
    queryFn: () => fetchJson<{ rules: RuleView[]; instances: InstanceView[] }>('/api/alerts/rules'),
    refetchInterval: LIVE_MS,
  });
  const notifications = useQuery({
    queryKey: ['alert-notifications'],
    queryFn: () => fetchJson<{ notifications: NotificationView[] }>('/api/alerts/notifications'),
    refetchInterval: LIVE_MS,
  });
  const history = useQuery({
    queryKey: ['alert-history'],
    queryFn: () => fetchJson<{ history: HistoryEntry[] }>('/api/alerts/history'),
    refetchInterval: LIVE_MS,
  });
  const remove = useMutation({
    mutationFn: (id: string) => fetchJson<void>(`/api/alerts/rules/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['alert-rules'] }),
  });

  return (
    <>
      <section className="panel">
        <DataTable
          label="Alert rules"
          columns={['Rule', 'Condition', 'Severity', 'Instances', '']}
          rows={rules.data?.rules}
          pending={rules.isPending}
          error={rules.error}
          empty="No rules yet."
        >
          {(rule) => {
            const instances = rules.data?.instances.filter((i) => i.ruleId === rule.id) ?? [];
            return (
              <tr key={rule.id} data-testid={`rule-${rule.name}`}>
                <td>
                  <Link href={`/alerts/${rule.id}`}>{rule.name}</Link>
                  {!rule.enabled && <span className="muted"> (disabled)</span>}
                </td>
                <td className="mono">
                  {rule.metric} {rule.comparator} {rule.threshold} over {rule.window} for {rule.for}
                </td>
                <td>{rule.severity}</td>
                <td style={{ whiteSpace: 'normal' }}>
                  {instances.length === 0 && <span className="muted">not evaluated yet</span>}
                  {instances.map((i) => (
                    <span
                      key={i.id}
                      data-testid={`instance-${rule.name}-${i.integrationSlug}`}
                      title={`since ${when(i.since)}`}
                      style={{ marginRight: 12, display: 'inline-block' }}
                    >
                      {i.integrationSlug}{' '}
                      <StatusBadge
                        state={i.state}
                        tone={stateClass(i.state)}
                        label={i.silenced ? `${i.state} · silenced` : i.state}
                      />{' '}
                      <span className="muted">{i.display}</span>
                    </span>
                  ))}
                </td>
                <td>
                  {canEdit && (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        if (window.confirm(`Delete rule "${rule.name}" and its history?`)) remove.mutate(rule.id);
                      }}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            );
          }}
        </DataTable>
      </section>

      <h2>Notifications</h2>
      <section className="panel">
        <DataTable
          label="Notifications"
          columns={['At', 'Message', 'Channels']}
          rows={notifications.data?.notifications}
          error={notifications.error}
          empty="No notifications sent yet."
        >
          {(n) => (
            <tr key={n.id}>
              <td>{when(n.at)}</td>
              <td className={n.status === 'firing' ? 'status-bad' : 'status-ok'}>{n.summary}</td>
              <td>
                {n.deliveries.length === 0 && <span className="muted">in-app only</span>}
                {n.deliveries.map((d) => (
                  <span key={d.channel} className={d.ok ? 'status-ok' : 'status-bad'} title={d.error}>
                    {d.channel} {d.ok ? '✓' : `✗ ${d.status ?? d.error ?? ''}`}{' '}
                  </span>
                ))}
              </td>
            </tr>
          )}
        </DataTable>
      </section>

      <h2>State history</h2>
      <section className="panel">
        <StateHistory entries={history.data?.history} />
      </section>
    </>
  );
}

export function StateHistory({ entries }: { entries?: HistoryEntry[] }) {
  if (!entries) return <p className="muted">Loading history…</p>;
  if (entries.length === 0) return <p className="muted">No state changes yet.</p>;
  return (
    <div className="table-wrap">
      <table aria-label="State history">
        <thead>
          <tr>
            <th>At</th>
            <th>Rule</th>
            <th>Integration</th>
            <th>Change</th>
            <th className="num">Value</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((h) => (
            <tr key={h.id}>
              <td>{when(h.at)}</td>
              <td>{h.ruleName}</td>
              <td>{h.integrationSlug}</td>
              <td>
                <StatusBadge state={h.from} tone={stateClass(h.from)} /> →{' '}
                <StatusBadge state={h.to} tone={stateClass(h.to)} />
              </td>
              <td className="num">{h.display}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
