'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
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
/** The states the list can be narrowed to (`?state=`): what needs a look now. */
const STATE_FILTERS = ['firing', 'pending'] as const;
type StateFilter = (typeof STATE_FILTERS)[number];

/** Narrows the page to rules with an instance in the state, through the URL so the view can be shared. */
function useStateFilter(): [StateFilter | null, (state: StateFilter | null) => void] {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const value = params.get('state');
  const state = STATE_FILTERS.find((s) => s === value) ?? null;
  const set = (next: StateFilter | null) => {
    const query = new URLSearchParams(params);
    if (next) query.set('state', next);
    else query.delete('state');
    router.replace(query.size ? `${pathname}?${query}` : pathname);
  };
  return [state, set];
}

/** How a whole-queue instance names its scope (lib/alerts ALL_INTEGRATIONS): not an integration page. */
const ALL_INTEGRATIONS = 'all integrations';

/** The alerts home: every rule with each instance's state, then the in-app notifications and history. */
/** `canEdit`: the viewer's role may delete rules (editor and up); the rule page edits them. */
export function AlertRules({ canEdit = true }: { canEdit?: boolean } = {}) {
  const queryClient = useQueryClient();
  const [stateFilter, setStateFilter] = useStateFilter();
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

  const shownInstances = (ruleId: string) =>
    rules.data?.instances.filter((i) => i.ruleId === ruleId && (!stateFilter || i.state === stateFilter)) ?? [];
  const shownRules = rules.data?.rules.filter((rule) => !stateFilter || shownInstances(rule.id).length > 0);

  return (
    <>
      <fieldset className="range-picker plain" style={{ marginBottom: 12 }}>
        <legend className="sr-only">Show</legend>
        <button type="button" aria-pressed={stateFilter === null} onClick={() => setStateFilter(null)}>
          All rules
        </button>
        {STATE_FILTERS.map((state) => (
          <button key={state} type="button" aria-pressed={stateFilter === state} onClick={() => setStateFilter(state)}>
            {state === 'firing' ? 'Firing' : 'Pending'} (
            {rules.data?.instances.filter((i) => i.state === state).length ?? 0})
          </button>
        ))}
      </fieldset>
      <section className="panel">
        <DataTable
          label="Alert rules"
          columns={['Rule', 'Condition', 'Severity', 'Instances', '']}
          rows={shownRules}
          pending={rules.isPending}
          error={rules.error}
          empty={stateFilter ? `No rule is ${stateFilter}.` : 'No rules yet.'}
        >
          {(rule) => {
            const instances = shownInstances(rule.id);
            return (
              <tr key={rule.id} data-testid={`rule-${rule.name}`}>
                <td>
                  <Link href={`/alerts/${rule.id}`}>{rule.name}</Link>
                  {!rule.enabled && <span className="muted"> (disabled)</span>}
                </td>
                <td className="mono">
                  {rule.metric} {rule.comparator} {rule.threshold} over {rule.window} for {rule.for}
                  {rule.keepFiringFor !== '0s' && `, keep firing ${rule.keepFiringFor}`}
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
                      {i.integrationSlug === ALL_INTEGRATIONS ? (
                        i.integrationSlug
                      ) : (
                        <Link href={`/integrations/${encodeURIComponent(i.integrationSlug)}`}>{i.integrationSlug}</Link>
                      )}{' '}
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
