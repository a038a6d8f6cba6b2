'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { sendJson, type Wire } from '@/components/ui/api';
import { BulkPanel, pickFilter } from '@/components/ui/BulkPanel';
import { ConfirmDialog } from '@/components/ui/ConfirmDialog';
import { RadioGroup } from '@/components/ui/RadioGroup';
import type { replayMatchingEvents } from '@/lib/webhooks';

type Answer = Wire<Awaited<ReturnType<typeof replayMatchingEvents>>>;

/** The explorer's filters, all of which a bulk replay applies (lib/webhooks' eventFilterSchema). */
const FILTERS = ['source', 'state', 'from', 'to', 'q'];

const events = (n: number) => `${n} ${n === 1 ? 'event' : 'events'}`;

function previewText(count: { matched: number; more: boolean; inFlight: number }) {
  const matched = count.more
    ? `More than ${count.matched} events match: only the newest ${count.matched} count.`
    : `${events(count.matched)} ${count.matched === 1 ? 'matches' : 'match'} the filter.`;
  return count.inFlight ? `${matched} ${events(count.inFlight)} still being forwarded will be skipped.` : matched;
}

/**
 * "Replay matching events": counts what the explorer's filter selects (skipping events whose forward is
 * still in flight), then queues a new forward of each, oldest first, with the chosen idempotency key.
 */
export function WebhookBulkReplay({ params }: { params: Iterable<[string, string]> }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [idempotency, setIdempotency] = useState<'reuse' | 'new'>('reuse');
  const confirm = useRef<HTMLDialogElement>(null);
  const filter = pickFilter(params, FILTERS);
  const filterKey = JSON.stringify(filter);
  const replay = useMutation({
    mutationFn: () => sendJson<Answer>('/api/webhook-events/replay', 'POST', { filter, idempotency }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhook-events'] }),
  });
  const preview = useQuery({
    queryKey: ['webhook-bulk-preview', filterKey],
    queryFn: () => sendJson<Answer>('/api/webhook-events/replay', 'POST', { filter, dryRun: true }),
    enabled: open && !replay.data,
    staleTime: 0,
  });

  // Every matching event is forwarded again: the count and the key choice are confirmed first.
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    confirm.current?.showModal();
  }
  function close() {
    setOpen(false);
    replay.reset();
  }

  const count = preview.data;
  const done = replay.data && !replay.data.dryRun ? replay.data : null;
  return (
    <BulkPanel title="Replay matching events" open={open} onOpen={() => setOpen(true)} onClose={close}>
      {done ? (
        <p role="status" data-testid="event-bulk-result">
          Queued {done.replayed} {done.replayed === 1 ? 'replay' : 'replays'}
          {done.inFlight > 0 && ` · ${events(done.inFlight)} skipped: their forward is still in flight`}
          {done.noDestination > 0 && ` · ${events(done.noDestination)} skipped: the source's integration is gone`}.
          Their states update in the list as the worker forwards them.
        </p>
      ) : (
        <form onSubmit={submit} aria-label="Bulk event replay" noValidate>
          <p role="status" aria-live="polite" data-testid="event-bulk-preview">
            {preview.isPending
              ? 'Counting the matching events…'
              : preview.isError
                ? `Could not count the matching events: ${preview.error.message}`
                : count && previewText(count)}
          </p>
          <RadioGroup
            legend="Idempotency key"
            name="event-bulk-idempotency"
            value={idempotency}
            options={[
              { value: 'reuse', label: "Reuse each event's key (no double effect)" },
              { value: 'new', label: 'New keys (the application treats them as new work)' },
            ]}
            onChange={setIdempotency}
          />
          {replay.error && (
            <p className="alert" role="alert">
              Could not replay: {replay.error.message}
            </p>
          )}
          <button
            type="submit"
            disabled={!count?.dryRun || count.replayable === 0 || replay.isPending}
            style={{ marginTop: 12 }}
          >
            {count?.dryRun ? `Replay ${events(count.replayable)}` : 'Replay'}
          </button>
        </form>
      )}
      <ConfirmDialog
        dialogRef={confirm}
        title={count?.dryRun ? `Replay ${events(count.replayable)}?` : null}
        confirmLabel="Queue the replays"
        onConfirm={() => replay.mutate()}
      >
        {idempotency === 'new'
          ? 'Each is forwarded again with a new idempotency key: the application treats it as new work.'
          : 'Each is forwarded again with its own idempotency key, so an application that honours keys does nothing twice.'}
      </ConfirmDialog>
    </BulkPanel>
  );
}
