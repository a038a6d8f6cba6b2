'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { fetchJson, sendJson } from '@/components/ui/api';
import { formatCount } from '@/components/ui/format';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { SyncLag, SyncWhen, type SyncWire, syncStateTone } from './SyncStatus';

const REFRESH_MS = 3000;

/**
 * The syncs with how each is doing, refreshed every few seconds; `integration` narrows it to one
 * integration's syncs (the integration page's panel) and drops the actions.
 */
export function SyncList({ integration }: { integration?: string }) {
  const queryClient = useQueryClient();
  const key = ['syncs', integration ?? null];
  const syncs = useQuery({
    queryKey: key,
    queryFn: () =>
      fetchJson<{ syncs: SyncWire[] }>(
        `/api/syncs${integration ? `?integration=${encodeURIComponent(integration)}` : ''}`,
      ),
    refetchInterval: REFRESH_MS,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['syncs'] });
  const runNow = useMutation({
    mutationFn: (slug: string) => sendJson(`/api/syncs/${encodeURIComponent(slug)}/run`, 'POST', {}),
    onSettled: refresh,
  });
  const setEnabled = useMutation({
    mutationFn: ({ slug, enabled }: { slug: string; enabled: boolean }) =>
      sendJson(`/api/syncs/${encodeURIComponent(slug)}`, 'PATCH', { enabled }),
    onSettled: refresh,
  });
  const actionError = runNow.error ?? setEnabled.error;

  if (syncs.error) return <p className="alert">{syncs.error.message}</p>;
  if (!syncs.data) return <p className="muted">Loading syncs…</p>;
  if (syncs.data.syncs.length === 0)
    // An integration's panel (SyncPanel) says it has none itself, in one line.
    return <p className="muted">No syncs yet.</p>;
  return (
    <>
      {actionError && (
        <p className="alert" role="alert">
          {actionError.message}
        </p>
      )}
      <div className="table-wrap">
        <table aria-label="Syncs">
          <thead>
            <tr>
              <th>Sync</th>
              {!integration && <th>Integration</th>}
              <th>Status</th>
              <th>Last run</th>
              <th>Lag</th>
              <th className="num">Items delivered</th>
              <th>Last error</th>
              {!integration && <th />}
            </tr>
          </thead>
          <tbody>
            {syncs.data.syncs.map((sync) => (
              <tr key={sync.slug} data-sync={sync.slug}>
                <td>
                  <Link href={`/syncs/${sync.slug}`}>{sync.slug}</Link>
                  <div className="muted mono">
                    {sync.path} → {sync.sink}
                  </div>
                </td>
                {!integration && (
                  <td>
                    <Link href={`/integrations/${sync.integration}`}>{sync.integration}</Link>
                  </td>
                )}
                <td>
                  <StatusBadge state={sync.status} tone={syncStateTone(sync.status)} />
                </td>
                <td>
                  <SyncWhen at={sync.lastRunAt} />
                </td>
                <td>
                  <SyncLag lag={sync.lag} />
                </td>
                <td className="num">{formatCount(sync.itemsDelivered)}</td>
                <td className="status-bad">{sync.lastError}</td>
                {!integration && (
                  <td>
                    <div className="row">
                      <button
                        type="button"
                        className="secondary"
                        disabled={!sync.enabled || runNow.isPending}
                        onClick={() => runNow.mutate(sync.slug)}
                      >
                        Run now
                      </button>
                      <button
                        type="button"
                        className="secondary"
                        disabled={setEnabled.isPending}
                        onClick={() => setEnabled.mutate({ slug: sync.slug, enabled: !sync.enabled })}
                      >
                        {sync.enabled ? 'Disable' : 'Enable'}
                      </button>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
