'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { ApiError, sendJson } from '@/components/ui/api';
import { FieldError } from '@/components/ui/FieldError';

const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'];

/** "name: value" per line; a line without a colon is reported against the headers field. */
function parseHeaders(text: string): { headers: Record<string, string> } | { error: string } {
  const headers: Record<string, string> = {};
  for (const [index, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const at = line.indexOf(':');
    if (at <= 0) return { error: `line ${index + 1} is not "name: value"` };
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { headers };
}

/** A number as typed, or the text itself so the server names the field when it is not one. */
const numberOrText = (text: string) => (text === '' ? undefined : Number.isNaN(Number(text)) ? text : Number(text));

/** Enqueues one job through POST /api/jobs; the server validates and names each bad field. */
export function JobEnqueueForm({ integrations }: { integrations: { slug: string; name: string }[] }) {
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Record<string, string>>({});
  const enqueue = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      sendJson<{ id: string; idempotencyKey: string }>('/api/jobs', 'POST', body),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['jobs'] });
      void queryClient.invalidateQueries({ queryKey: ['queue-stats'] });
    },
    onError: (error) => setFields(error instanceof ApiError ? error.fields : {}),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const headers = parseHeaders(text('headers'));
    if ('error' in headers) {
      setFields({ headers: headers.error });
      return;
    }
    setFields({});
    enqueue.mutate({
      integration: text('integration'),
      method: text('method'),
      path: text('path'),
      headers: headers.headers,
      ...(text('body') && { body: text('body') }),
      priority: numberOrText(text('priority')),
      maxAttempts: numberOrText(text('maxAttempts')),
    });
  }
  const invalid = (name: string) => (fields[name] ? true : undefined);
  return (
    <form className="panel form" style={{ marginTop: 12 }} onSubmit={submit} noValidate aria-label="Enqueue a job">
      <h2>Enqueue a job</h2>
      <div className="fields">
        <label>
          Integration
          <select name="integration" aria-invalid={invalid('integration')} defaultValue={integrations[0]?.slug}>
            {integrations.map((i) => (
              <option key={i.slug} value={i.slug}>
                {i.name}
              </option>
            ))}
          </select>
          <FieldError fields={fields} name="integration" />
        </label>
        <label>
          Method
          <select name="method" aria-invalid={invalid('method')}>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
          <FieldError fields={fields} name="method" />
        </label>
        <label>
          Path
          <input name="path" placeholder="/v1/payouts" spellCheck={false} aria-invalid={invalid('path')} />
          <FieldError fields={fields} name="path" />
        </label>
        <label>
          Priority
          <input name="priority" inputMode="numeric" defaultValue="0" aria-invalid={invalid('priority')} />
          <FieldError fields={fields} name="priority" />
        </label>
        <label>
          Max attempts
          <input
            name="maxAttempts"
            inputMode="numeric"
            placeholder="schedule + 1"
            aria-invalid={invalid('maxAttempts')}
          />
          <FieldError fields={fields} name="maxAttempts" />
        </label>
        <label>
          Headers (one "name: value" a line)
          <textarea name="headers" rows={3} spellCheck={false} aria-invalid={invalid('headers')} />
          <FieldError fields={fields} name="headers" />
        </label>
        <label>
          Body
          <textarea
            name="body"
            rows={3}
            spellCheck={false}
            placeholder='{"amount": 10}'
            aria-invalid={invalid('body')}
          />
          <FieldError fields={fields} name="body" />
        </label>
      </div>
      <p className="muted">
        The integration's key is added when the job runs; an idempotency key is generated and sent on every attempt.
      </p>
      <div className="row">
        <button type="submit" disabled={enqueue.isPending || integrations.length === 0}>
          Enqueue
        </button>
        {enqueue.isSuccess && (
          <span className="status-ok" role="status">
            Queued <Link href={`/jobs/${encodeURIComponent(enqueue.data.id)}`}>job {enqueue.data.id}</Link>
          </span>
        )}
        {enqueue.isError && !(enqueue.error instanceof ApiError && enqueue.error.issues.length) && (
          <span className="field-error" role="alert">
            {enqueue.error.message}
          </span>
        )}
      </div>
    </form>
  );
}
