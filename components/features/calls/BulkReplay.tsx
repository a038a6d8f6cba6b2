'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useRef, useState } from 'react';
import { useWorkspace, workspaceHref } from '@/components/shell/Workspace';
import { ApiError, fetchJson, sendJson, type Wire } from '@/components/ui/api';
import { BulkPanel, pickFilter } from '@/components/ui/BulkPanel';
import { ConfirmDialog } from '@/components/ui/ConfirmDialog';
import { RadioGroup } from '@/components/ui/RadioGroup';
import type { findReplayRun, startBulkReplay } from '@/lib/jobs';

type Run = Wire<NonNullable<Awaited<ReturnType<typeof findReplayRun>>>>;
type Started = Wire<Awaited<ReturnType<typeof startBulkReplay>>>;

/** The explorer filters, all of which a bulk replay applies (lib/jobs' callFilterSchema). */
const FILTERS: readonly string[] = [
  'integration',
  'outcome',
  'status',
  'method',
  'route',
  'from',
  'to',
  'minDurationMs',
  'requestId',
  'upstreamRequestId',
  'traceId',
  'replayOf',
  'replays',
];
const LIMIT = 1000;

/**
 * Where the explorer shows a run's replays: replays since it started, on the same integration, method and
 * route. No end time: the explorer's time fields hold minutes, so a resubmitted end would cut the run off.
 */
function replaysHref(run: Run) {
  const query = new URLSearchParams({ replays: 'only', from: run.createdAt });
  for (const name of ['integration', 'method', 'route'] as const) {
    const value = run.filter[name];
    if (value) query.set(name, String(value));
  }
  return `/explorer?${query}`;
}

function Progress({ run, onCancel, cancelling }: { run: Run; onCancel: () => void; cancelling: boolean }) {
  const workspace = useWorkspace();
  const running = run.state === 'running';
  return (
    <div className="bulk-progress">
      <label>
        Progress
        <progress max={Math.max(run.total, 1)} value={run.total ? run.done : 1} />
      </label>
      <p role="status" aria-live="polite" data-testid="bulk-progress">
        {run.done} of {run.total} done · {run.succeeded} succeeded · {run.failed} failed · {run.refused} refused
        {!running && ` · ${run.state}`}
        {run.resumes > 0 &&
          ` · resumed ${run.resumes === 1 ? 'once' : `${run.resumes} times`} after its server stopped`}
      </p>
      <div className="row">
        {running ? (
          <button type="button" className="danger" onClick={onCancel} disabled={cancelling}>
            Cancel
          </button>
        ) : (
          <Link href={workspaceHref(replaysHref(run), workspace?.current.slug)}>Show the replays in the explorer</Link>
        )}
      </div>
    </div>
  );
}

/**
 * "Replay matching calls": previews how many calls the explorer's filter selects, then replays them with
 * the chosen concurrency and idempotency, showing progress until the run ends or is cancelled.
 */
export function BulkReplay({ params }: { params: Iterable<[string, string]> }) {
  const [open, setOpen] = useState(false);
  const [concurrency, setConcurrency] = useState('5');
  const [idempotency, setIdempotency] = useState<'reuse' | 'new'>('reuse');
  const [runId, setRunId] = useState<string | null>(null);
  const confirm = useRef<HTMLDialogElement>(null);
  const filter = pickFilter(params, FILTERS);
  const filterKey = JSON.stringify(filter);
  const preview = useQuery({
    queryKey: ['bulk-replay-preview', filterKey],
    queryFn: () => sendJson<Started>('/api/replay/bulk', 'POST', { filter, dryRun: true, limit: LIMIT }),
    enabled: open && !runId,
    staleTime: 0,
  });
  const start = useMutation({
    mutationFn: () =>
      sendJson<Started>('/api/replay/bulk', 'POST', {
        filter,
        idempotency,
        concurrency: Number(concurrency),
        limit: LIMIT,
      }),
    onSuccess: (started) => (started.dryRun ? undefined : setRunId(started.run.id)),
  });
  const run = useQuery({
    queryKey: ['bulk-replay-run', runId],
    queryFn: () => fetchJson<Run>(`/api/replay/bulk/${runId}`),
    enabled: !!runId,
    refetchInterval: (query) => (query.state.data && query.state.data.state !== 'running' ? false : 1000),
  });
  const cancel = useMutation({
    mutationFn: () => sendJson<Run>(`/api/replay/bulk/${runId}/cancel`, 'POST', {}),
    onSuccess: () => run.refetch(),
  });
  const fields = start.error instanceof ApiError ? start.error.fields : {};

  // Many calls go out at once: the count and the key choice are confirmed before any is sent.
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    confirm.current?.showModal();
  }
  function close() {
    setOpen(false);
    setRunId(null);
    start.reset();
  }

  const count = preview.data?.dryRun ? preview.data : null;
  return (
    <BulkPanel title="Replay matching calls" open={open} onOpen={() => setOpen(true)} onClose={close}>
      {runId ? (
        run.data ? (
          <Progress run={run.data} onCancel={() => cancel.mutate()} cancelling={cancel.isPending} />
        ) : run.isError ? (
          <p className="alert" role="alert">
            Could not read the run: {run.error.message}
          </p>
        ) : (
          <p className="muted">Starting…</p>
        )
      ) : (
        <>
          <form onSubmit={submit} aria-label="Bulk replay" noValidate>
            <p role="status" aria-live="polite" data-testid="bulk-preview">
              {preview.isPending
                ? 'Counting the matching calls…'
                : preview.isError
                  ? `Could not count the matching calls: ${preview.error.message}`
                  : count &&
                    (count.more
                      ? `More than ${count.count} calls match: only the newest ${count.count} will be replayed.`
                      : `${count.count} ${count.count === 1 ? 'call matches' : 'calls match'} the explorer's filter.`)}
            </p>
            <div className="row" style={{ alignItems: 'start' }}>
              <label htmlFor="bulk-concurrency">
                Concurrency
                <input
                  id="bulk-concurrency"
                  type="number"
                  min={1}
                  max={20}
                  value={concurrency}
                  onChange={(e) => setConcurrency(e.target.value)}
                  aria-invalid={fields.concurrency ? true : undefined}
                  aria-describedby={fields.concurrency ? 'bulk-concurrency-error' : 'bulk-concurrency-hint'}
                  style={{ width: 90 }}
                />
                <span id="bulk-concurrency-hint" className="muted" style={{ fontSize: 12 }}>
                  1 to 20 replays at once
                </span>
                {fields.concurrency && (
                  <span id="bulk-concurrency-error" className="field-error">
                    {fields.concurrency}
                  </span>
                )}
              </label>
              <RadioGroup
                legend="Idempotency key"
                name="bulk-idempotency"
                value={idempotency}
                options={[
                  { value: 'reuse', label: "Reuse each original's key (no double effect)" },
                  { value: 'new', label: 'New keys' },
                ]}
                onChange={setIdempotency}
              />
            </div>
            {start.error && !fields.concurrency && (
              <p className="alert" role="alert">
                Could not start: {start.error.message}
              </p>
            )}
            <button type="submit" disabled={!count || count.count === 0 || start.isPending} style={{ marginTop: 12 }}>
              {count ? `Replay ${count.count} ${count.count === 1 ? 'call' : 'calls'}` : 'Replay'}
            </button>
          </form>
          {/* Outside the form: its own form (method="dialog") must not be nested in this one. */}
          <ConfirmDialog
            dialogRef={confirm}
            title={count ? `Replay ${count.count} ${count.count === 1 ? 'call' : 'calls'}?` : null}
            confirmLabel="Start the replay"
            onConfirm={() => start.mutate()}
          >
            {`They are sent again to their upstreams, ${concurrency} at a time, `}
            {idempotency === 'new'
              ? 'each with a new idempotency key: any that took effect the first time can take effect again.'
              : "each with its original's idempotency key, so an upstream that honours keys applies none twice."}
          </ConfirmDialog>
        </>
      )}
    </BulkPanel>
  );
}
