'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { fetchJson, sendJson } from '@/components/ui/api';
import { ConfirmDialog } from '@/components/ui/ConfirmDialog';
import { StatusBadge } from '@/components/ui/StatusBadge';

type Action = 'isolate' | 'reset' | 'dry-run-on' | 'dry-run-off';
interface BreakerStatus {
  state: string;
  dryRun: boolean;
}

const CONFIRM: Record<Action, { title: string; text: string; button: string }> = {
  isolate: {
    title: 'Isolate the breaker?',
    text: 'Every call to this integration is rejected (circuit open) until you reset it.',
    button: 'Isolate',
  },
  reset: {
    title: 'Reset the breaker?',
    text: 'The breaker closes and its failure counts start again.',
    button: 'Reset',
  },
  'dry-run-on': {
    title: 'Turn dry-run on?',
    text: 'The breaker keeps recording transitions but never rejects a call, on every instance.',
    button: 'Turn dry-run on',
  },
  'dry-run-off': {
    title: 'Turn dry-run off?',
    text: 'The breaker rejects calls again while it is open.',
    button: 'Turn dry-run off',
  },
};

/** Manual breaker actions, each behind a confirmation dialog. */
export function BreakerActions({ slug }: { slug: string }) {
  const url = `/api/integrations/${encodeURIComponent(slug)}/breaker`;
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [pending, setPending] = useState<Action | null>(null);
  const status = useQuery({
    queryKey: ['breaker', slug],
    queryFn: () => fetchJson<BreakerStatus>(url),
    refetchInterval: 5000,
  });
  const act = useMutation({
    mutationFn: (action: Action) => sendJson<BreakerStatus>(url, 'POST', { action }),
    onSuccess: (data) => {
      queryClient.setQueryData(['breaker', slug], data);
      void queryClient.invalidateQueries({ queryKey: ['timeseries', slug] });
    },
  });
  function ask(action: Action) {
    setPending(action);
    dialog.current?.showModal();
  }
  const confirm = pending ? CONFIRM[pending] : null;
  return (
    <fieldset className="row plain">
      <legend className="sr-only">Breaker actions</legend>
      <span className="muted">Breaker on this instance:</span>
      <span data-testid="live-breaker-state">
        {status.data ? (
          <StatusBadge
            state={status.data.state}
            tone={`breaker-${status.data.state}`}
            label={status.data.state.toUpperCase()}
          />
        ) : (
          '…'
        )}
      </span>
      {status.data?.dryRun && <span className="badge">DRY-RUN</span>}
      <button type="button" className="secondary" onClick={() => ask('isolate')} disabled={act.isPending}>
        Isolate
      </button>
      <button type="button" className="secondary" onClick={() => ask('reset')} disabled={act.isPending}>
        Reset
      </button>
      <button
        type="button"
        className="secondary"
        onClick={() => ask(status.data?.dryRun ? 'dry-run-off' : 'dry-run-on')}
        disabled={act.isPending || !status.data}
      >
        {status.data?.dryRun ? 'Turn dry-run off' : 'Turn dry-run on'}
      </button>
      {act.isError && (
        <span className="field-error" role="alert">
          {act.error.message}
        </span>
      )}
      <ConfirmDialog
        dialogRef={dialog}
        title={confirm?.title ?? null}
        confirmLabel={confirm?.button ?? ''}
        danger={pending === 'isolate'}
        onConfirm={() => pending && act.mutate(pending)}
        onClose={() => setPending(null)}
      >
        {confirm?.text}
      </ConfirmDialog>
    </fieldset>
  );
}
