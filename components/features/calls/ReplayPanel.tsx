'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useRef, useState } from 'react';
import { ApiError, sendJson } from '@/components/ui/api';
import { ConfirmDialog } from '@/components/ui/ConfirmDialog';
import { HeaderList } from '@/components/ui/HeaderList';
import { RadioGroup } from '@/components/ui/RadioGroup';
import type { ReplayDraft, replayCall } from '@/lib/jobs';
import { draftFieldOf, editOf, ReplayForm } from './ReplayForm';

type ReplayAnswer = Awaited<ReturnType<typeof replayCall>>;
type PlannedRequest = ReplayAnswer['request'];
type Mode = 'as-recorded' | 'edited';
type Idempotency = 'reuse' | 'new';

/** The exact request a replay sends (or sent); the credential's header shows "[redacted]", never its value. */
function RequestView({ title, request }: { title: string; request: PlannedRequest }) {
  return (
    <section className="replay-request" aria-label={title}>
      <h3>{title}</h3>
      <p className="mono" data-testid="replay-request-line">
        <strong>{request.method}</strong> {request.url}
      </p>
      <HeaderList headers={request.headers}>
        <dt>Idempotency key</dt>
        <dd data-testid="replay-idempotency-key">{request.idempotencyKey ?? 'none'}</dd>
      </HeaderList>
      {request.body ? <pre className="body">{request.body}</pre> : <p className="muted">No body.</p>}
    </section>
  );
}

/**
 * Replays this call, as recorded or edited, as a new call linked to it. A dry run shows the request first;
 * the idempotency key is an explicit choice.
 */
export function ReplayPanel({
  callId,
  draft: recorded,
  credential,
  idempotencyHeader,
  originalKey,
}: {
  callId: string;
  draft: ReplayDraft;
  /** the header the integration's credential goes in and the variable holding it; null when it sends none */
  credential: { header: string; secretEnv: string } | null;
  idempotencyHeader: string;
  originalKey: string | null;
}) {
  const router = useRouter();
  const [mode, setMode] = useState<Mode>('as-recorded');
  const [idempotency, setIdempotency] = useState<Idempotency>('reuse');
  const [draft, setDraft] = useState(recorded);
  const confirmNewKey = useRef<HTMLDialogElement>(null);
  const replay = useMutation({
    mutationFn: (dryRun: boolean) =>
      sendJson<ReplayAnswer>(`/api/calls/${encodeURIComponent(callId)}/replay`, 'POST', {
        mode,
        idempotency,
        dryRun,
        ...(mode === 'edited' && { edit: editOf(draft) }),
      }),
    // The new call is on this page's list of replays.
    onSuccess: (answer) => (answer.dryRun ? undefined : router.refresh()),
  });
  const answer = replay.data;
  const error = replay.error instanceof ApiError ? replay.error : null;
  /** A dry run or result describes the request as it was when asked: any change makes it stale. */
  function changed<T>(set: (value: T) => void) {
    return (value: T) => {
      replay.reset();
      set(value);
    };
  }
  const fieldErrors: Partial<Record<keyof ReplayDraft, string>> = {};
  if (error && mode === 'edited')
    for (const [field, message] of Object.entries(error.fields)) {
      const own = draftFieldOf(field);
      if (own) fieldErrors[own] ??= message;
    }
  const shownBesideFields = Object.keys(fieldErrors).length > 0;
  const refused = error?.status === 409;

  // Enter in a field asks for a dry run: sending is always a deliberate click.
  function dryRun(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    replay.mutate(true);
  }

  const credentialNote = credential ? (
    <>
      <code>{credential.header}</code> is added by the server from the variable <code>{credential.secretEnv}</code>; its
      value is never shown. Headers recorded as [redacted] are not sent again.
    </>
  ) : (
    'This integration sends no credential. Headers recorded as [redacted] are not sent again.'
  );

  return (
    <section className="panel" aria-labelledby="replay-heading">
      <h2 id="replay-heading">Replay</h2>
      <form className="replay-form" onSubmit={dryRun} aria-label="Replay this call" noValidate>
        <RadioGroup
          legend="Request"
          name="replay-mode"
          value={mode}
          options={[
            { value: 'as-recorded', label: 'As recorded' },
            { value: 'edited', label: 'Edit and replay' },
          ]}
          onChange={changed(setMode)}
        />
        <RadioGroup
          legend={`Idempotency key (${idempotencyHeader})`}
          name="replay-idempotency"
          value={idempotency}
          options={[
            { value: 'reuse', label: "Reuse the original's key (no double effect)" },
            { value: 'new', label: 'New key' },
          ]}
          onChange={changed(setIdempotency)}
        >
          <p className="muted replay-note">
            {originalKey ? (
              <>
                The original's key: <code>{originalKey}</code>. A new key is made for POST, PUT, PATCH and DELETE.
              </>
            ) : (
              'The original sent no key, so reusing it sends none. A new key is made for POST, PUT, PATCH and DELETE.'
            )}
          </p>
        </RadioGroup>
        {mode === 'edited' ? (
          <ReplayForm draft={draft} onChange={changed(setDraft)} errors={fieldErrors} credentialNote={credentialNote} />
        ) : (
          <p className="muted replay-note">{credentialNote}</p>
        )}
        <div className="row">
          <button type="submit" className="secondary" disabled={replay.isPending}>
            Dry run
          </button>
          <button
            type="button"
            // A new key lets the upstream apply the request again: asked once more, never silently.
            onClick={() => (idempotency === 'new' ? confirmNewKey.current?.showModal() : replay.mutate(false))}
            disabled={replay.isPending}
          >
            {replay.isPending ? 'Working…' : 'Send replay'}
          </button>
          {mode === 'edited' && (
            <button
              type="button"
              className="secondary"
              onClick={() => changed(setDraft)(recorded)}
              disabled={replay.isPending}
            >
              Back to the recorded request
            </button>
          )}
        </div>
      </form>
      <ConfirmDialog
        dialogRef={confirmNewKey}
        title="Send the replay with a new idempotency key?"
        confirmLabel="Send with a new key"
        onConfirm={() => replay.mutate(false)}
      >
        The upstream will see a request it has never seen: if the original took effect (a charge, an e-mail), this one
        can take effect a second time. Reusing the original's key cannot.
      </ConfirmDialog>
      <div aria-live="polite">
        {error && !shownBesideFields && (
          <div className="alert replay-outcome" role="alert">
            <p>{refused ? `Refused: ${error.message}` : `Could not replay: ${error.message}`}</p>
            {refused && mode === 'as-recorded' && (
              <button type="button" onClick={() => changed(setMode)('edited')}>
                Edit and replay
              </button>
            )}
          </div>
        )}
        {error && shownBesideFields && (
          <p className="field-error replay-outcome" role="alert">
            Fix the highlighted field: {error.message}
          </p>
        )}
        {answer?.dryRun && <RequestView title="Dry run: the request that would be sent" request={answer.request} />}
        {answer && !answer.dryRun && (
          <>
            <p
              className={`${answer.status !== null && answer.status < 400 ? 'notice' : 'alert'} replay-outcome`}
              role="status"
            >
              Replay sent:{' '}
              <strong data-testid="replay-result">
                {answer.status ?? '–'} · {answer.outcome.replace('_', ' ')}
              </strong>
              {answer.error && ` (${answer.error})`}.{' '}
              <Link href={`/explorer/${encodeURIComponent(answer.replayId)}`}>Open the replay</Link>
            </p>
            <RequestView title="The request sent" request={answer.request} />
          </>
        )}
      </div>
    </section>
  );
}
