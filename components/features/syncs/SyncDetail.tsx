'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { fetchJson, sendJson } from '@/components/ui/api';
import { formatCount, formatTime } from '@/components/ui/format';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { SyncLag, type SyncRunWire, SyncWhen, type SyncWire, syncStateTone } from './SyncStatus';

const REFRESH_MS = 2000;
const RECENT_ITEMS = 20;

interface ItemWire {
  id: string;
  at: string | null;
  receivedAt: string;
  payload: unknown;
}

/** One sync: how it is doing, its recent runs and the items it delivered last, refreshed every 2 s. */
/** `canRun`: the viewer's role may run the sync now (operator and up). */
export function SyncDetail({ slug, canRun = true }: { slug: string; canRun?: boolean }) {
  const queryClient = useQueryClient();
  const base = `/api/syncs/${encodeURIComponent(slug)}`;
  const options = { refetchInterval: REFRESH_MS };
  const sync = useQuery({
    queryKey: ['sync', slug],
    queryFn: () => fetchJson<{ sync: SyncWire }>(base),
    ...options,
  });
  const runs = useQuery({
    queryKey: ['sync', slug, 'runs'],
    queryFn: () => fetchJson<{ runs: SyncRunWire[] }>(`${base}/runs?limit=20`),
    ...options,
  });
  const items = useQuery({
    queryKey: ['sync', slug, 'items'],
    queryFn: () => fetchJson<{ items: ItemWire[] }>(`${base}/items?limit=${RECENT_ITEMS}`),
    ...options,
  });
  const runNow = useMutation({
    mutationFn: () => sendJson(`${base}/run`, 'POST', {}),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['sync', slug] }),
  });

  if (sync.error) return <p className="alert">{sync.error.message}</p>;
  const s = sync.data?.sync;
  if (!s) return <p className="muted">Loading…</p>;
  return (
    <>
      <section className="panel" aria-label="Status">
        <div className="row" style={{ marginBottom: 12 }}>
          <StatusBadge state={s.status} tone={syncStateTone(s.status)} />
          {canRun && (
            <button type="button" disabled={!s.enabled || runNow.isPending} onClick={() => runNow.mutate()}>
              Run now
            </button>
          )}
          {runNow.error && <span className="field-error">{runNow.error.message}</span>}
        </div>
        <dl className="kv">
          <dt>Polls</dt>
          <dd className="mono">
            {s.integration} {s.path} ({s.mode} via <code>{s.cursorParam}</code>, {s.pageSize} a page, at most{' '}
            {s.maxPages} pages a run, every {s.intervalSeconds} s)
          </dd>
          <dt>Sink</dt>
          <dd>
            {s.sink === 'events' ? (
              'stored events'
            ) : (
              <>
                webhook <span className="mono">{s.sinkUrl}</span>, signed with <code>{s.sinkSecretEnv}</code>{' '}
                <span className={s.sinkSecretConfigured ? 'status-ok' : 'status-bad'}>
                  {s.sinkSecretConfigured ? 'set' : 'not set on the server'}
                </span>
              </>
            )}
          </dd>
          <dt>Checkpoint</dt>
          <dd className="mono" data-testid="checkpoint">
            {s.checkpoint ?? '(start of the feed)'}
          </dd>
          <dt>Last run</dt>
          <dd data-testid="last-run">
            <SyncWhen at={s.lastRunAt} />
          </dd>
          <dt>Last success</dt>
          <dd>
            <SyncWhen at={s.lastSuccessAt} />
          </dd>
          <dt>Lag</dt>
          <dd data-testid="lag">
            <SyncLag lag={s.lag} />
          </dd>
          <dt>Items delivered</dt>
          <dd data-testid="items-delivered">{formatCount(s.itemsDelivered)}</dd>
          <dt>Next run</dt>
          <dd>{s.enabled ? <SyncWhen at={s.nextRunAt} /> : 'disabled'}</dd>
          <dt>Last error</dt>
          <dd className={s.lastError ? 'status-bad' : 'muted'}>{s.lastError ?? 'none'}</dd>
        </dl>
      </section>
      <h2>Runs</h2>
      <section className="panel">
        {runs.data?.runs.length === 0 && <p className="muted">No run yet.</p>}
        {runs.data && runs.data.runs.length > 0 && (
          <div className="table-wrap">
            <table aria-label="Runs">
              <thead>
                <tr>
                  <th>Started</th>
                  <th>State</th>
                  <th className="num">Pages</th>
                  <th className="num">Items</th>
                  <th>Checkpoint</th>
                  <th>Error</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.runs.map((run) => (
                  <tr key={run.id}>
                    <td>{formatTime(run.startedAt, true)}</td>
                    <td>
                      <StatusBadge state={run.state} tone={syncStateTone(run.state)} />
                    </td>
                    <td className="num">{run.pages}</td>
                    <td className="num">{run.items}</td>
                    <td className="mono">
                      {run.fromCheckpoint ?? '–'} → {run.toCheckpoint ?? '–'}
                    </td>
                    <td className="status-bad">{run.error}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <h2>Recent items</h2>
      <section className="panel">
        {items.data?.items.length === 0 && <p className="muted">No item delivered yet.</p>}
        {items.data && items.data.items.length > 0 && (
          <div className="table-wrap">
            <table aria-label="Recent items">
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Item time</th>
                  <th>Delivered</th>
                  <th>Item</th>
                </tr>
              </thead>
              <tbody>
                {items.data.items.map((item) => (
                  <tr key={item.id}>
                    <td className="mono">{item.id}</td>
                    <td>{item.at ? formatTime(item.at, true) : '–'}</td>
                    <td>{formatTime(item.receivedAt, true)}</td>
                    <td className="mono">{JSON.stringify(item.payload).slice(0, 160)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
