'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useRef, useState } from 'react';
import { AnySelect, byName } from '@/components/filters/ListParts';
import { fetchJson, sendJson } from '@/components/ui/api';
import { ConfirmDialog } from '@/components/ui/ConfirmDialog';
import { formatTime } from '@/components/ui/format';
import type { Job } from './JobList';
import { QUEUE_REFRESH_MS } from './QueueStats';

interface Filter {
  integration: string;
  q: string;
}

/** The toolbar's actions, each on the selected dead letters or on every one matching the filter. */
const BULK_ACTIONS = [
  { verb: 'replay', kind: 'selected', label: 'Replay selected', primary: true },
  { verb: 'replay', kind: 'matching', label: 'Replay all matching' },
  { verb: 'discard', kind: 'selected', label: 'Discard selected' },
  { verb: 'discard', kind: 'matching', label: 'Discard all matching' },
] as const;

/** What an action applies to: one dead letter, the selected ones, or every one matching the filter. */
type Target = { kind: 'one'; id: string } | { kind: 'selected'; ids: string[] } | { kind: 'matching'; filter: Filter };
type Action = { verb: 'replay' | 'discard'; target: Target };

function targetText(target: Target, matching: number): string {
  if (target.kind === 'one') return 'this dead letter';
  if (target.kind === 'selected') return `the ${target.ids.length} selected dead letters`;
  return `all ${matching} dead letters matching the filter`;
}

async function perform({ verb, target }: Action): Promise<number> {
  if (target.kind === 'one') {
    const url = `/api/dead-letters/${encodeURIComponent(target.id)}`;
    return verb === 'replay'
      ? (await sendJson<{ requeued: number }>(`${url}/replay`, 'POST', {})).requeued
      : (await fetchJson<{ discarded: number }>(url, { method: 'DELETE' })).discarded;
  }
  const body =
    target.kind === 'selected'
      ? { ids: target.ids }
      : {
          ...(target.filter.integration && { integration: target.filter.integration }),
          ...(target.filter.q && { q: target.filter.q }),
          all: true,
        };
  const answer = await sendJson<{ requeued?: number; discarded?: number }>(`/api/dead-letters/${verb}`, 'POST', body);
  return answer.requeued ?? answer.discarded ?? 0;
}

/**
 * Dead letters: browse and filter, replay (back in the queue with fresh attempts and the same idempotency
 * key) or discard (after a confirmation), one, selected, or all matching.
 */
/** `canAct`: the viewer's role may replay and discard (operator and up); otherwise the list is read-only. */
export function DeadLetterList({
  integrations,
  canAct = true,
}: {
  integrations: { slug: string; name: string }[];
  canAct?: boolean;
}) {
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<Filter>({ integration: '', q: '' });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState<Action | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const list = useQuery({
    queryKey: ['dead-letters', filter],
    queryFn: () =>
      fetchJson<{ deadLetters: Job[] }>(`/api/dead-letters?${new URLSearchParams({ ...filter, limit: '500' })}`),
    refetchInterval: QUEUE_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
  const rows = list.data?.deadLetters ?? [];
  const act = useMutation({
    mutationFn: perform,
    onSuccess: (count, action) => {
      setDone(action.verb === 'replay' ? `Requeued ${count}.` : `Discarded ${count}.`);
      setSelected(new Set());
      for (const key of ['dead-letters', 'queue-stats', 'jobs', 'queue-series'])
        void queryClient.invalidateQueries({ queryKey: [key] });
    },
  });
  function run(action: Action) {
    setDone(null);
    if (action.verb === 'discard') {
      setConfirming(action);
      dialog.current?.showModal();
    } else act.mutate(action);
  }
  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setSelected(new Set());
    setFilter({ integration: String(data.get('integration') ?? ''), q: String(data.get('q') ?? '').trim() });
  }
  const visible = new Set(rows.map((r) => r.id));
  const chosen = [...selected].filter((id) => visible.has(id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  return (
    <section aria-label="Dead letters">
      <form className="panel filters" onSubmit={search} aria-label="Filter dead letters">
        <AnySelect label="Integration" name="integration" defaultValue="" choices={byName(integrations)} />
        <label>
          Path or error contains
          <input name="q" type="search" placeholder="/payouts or 503" spellCheck={false} />
        </label>
        <div className="actions">
          <button type="submit">Filter</button>
        </div>
      </form>
      <div className="row toolbar" role="toolbar" aria-label="Bulk actions">
        <span className="muted" data-testid="dead-letter-count">
          {list.data ? `${rows.length}${rows.length === 500 ? '+' : ''} matching` : '…'}
          {chosen.length > 0 && `, ${chosen.length} selected`}
        </span>
        {canAct &&
          BULK_ACTIONS.map(({ verb, kind, label, ...action }) => (
            <button
              key={label}
              type="button"
              className={'primary' in action ? undefined : 'secondary'}
              disabled={(kind === 'selected' ? chosen.length : rows.length) === 0 || act.isPending}
              onClick={() =>
                run({ verb, target: kind === 'selected' ? { kind, ids: chosen } : { kind: 'matching', filter } })
              }
            >
              {label}
            </button>
          ))}
        {done && (
          <span className="status-ok" role="status">
            {done}
          </span>
        )}
        {act.isError && (
          <span className="field-error" role="alert">
            {act.error.message}
          </span>
        )}
      </div>
      {list.isPending ? (
        <div className="panel skeleton" style={{ height: 200 }} aria-busy="true">
          <span className="sr-only">Loading dead letters…</span>
        </div>
      ) : list.isError ? (
        <p className="alert" role="alert">
          Could not load dead letters: {list.error.message}
        </p>
      ) : rows.length === 0 ? (
        <div className="panel empty">
          <p>No dead letter matches.</p>
          <p className="muted">A job lands here when its attempts run out or the upstream refuses it for good.</p>
        </div>
      ) : (
        <div className="panel table-wrap">
          <table aria-label="Dead letter list">
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label="Select all"
                    checked={chosen.length === rows.length}
                    onChange={(e) => setSelected(e.target.checked ? new Set(visible) : new Set())}
                  />
                </th>
                <th>Dead since</th>
                <th>Integration</th>
                <th>Request</th>
                <th className="num">Attempts</th>
                <th>Last error</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((job) => (
                <tr key={job.id} data-testid={`dead-letter-${job.id}`}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${job.request.method} ${job.request.path}`}
                      checked={selected.has(job.id)}
                      onChange={(e) => toggle(job.id, e.target.checked)}
                    />
                  </td>
                  <td className="mono">{job.finishedAt ? formatTime(job.finishedAt, true) : '–'}</td>
                  <td>{job.integration}</td>
                  <td className="mono">
                    {job.request.method} {job.request.path}
                  </td>
                  <td className="num">
                    {job.attempts}/{job.maxAttempts}
                  </td>
                  <td className="mono">{job.lastError ?? '–'}</td>
                  <td>
                    <div className="row">
                      <Link href={`/jobs/${encodeURIComponent(job.id)}`}>Inspect</Link>
                      {canAct && (
                        <>
                          <button
                            type="button"
                            className="secondary"
                            disabled={act.isPending}
                            onClick={() => run({ verb: 'replay', target: { kind: 'one', id: job.id } })}
                          >
                            Replay
                          </button>
                          <button
                            type="button"
                            className="secondary"
                            disabled={act.isPending}
                            onClick={() => run({ verb: 'discard', target: { kind: 'one', id: job.id } })}
                          >
                            Discard
                          </button>
                        </>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        dialogRef={dialog}
        title={confirming && `Discard ${targetText(confirming.target, rows.length)}?`}
        confirmLabel="Discard"
        onConfirm={() => confirming && act.mutate(confirming)}
        onClose={() => setConfirming(null)}
      >
        Discarded jobs leave the dead letters for good; they stay visible on the jobs page as discarded.
      </ConfirmDialog>
    </section>
  );
}
