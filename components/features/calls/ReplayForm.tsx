'use client';

import type { ReactNode } from 'react';
import { Field } from '@/components/ui/Field';
import type { ReplayDraft } from '@/lib/jobs';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The `edit` object of POST /api/calls/[id]/replay for a draft. */
export function editOf(draft: ReplayDraft) {
  const headers: Record<string, string> = {};
  for (const { name, value } of draft.headers) if (name.trim()) headers[name.trim()] = value;
  return {
    method: draft.method,
    path: draft.path,
    // An empty query field leaves a query typed into the path alone.
    ...(draft.query.trim() && { query: draft.query.trim().replace(/^\?/, '') }),
    headers,
    body: draft.body === '' ? null : draft.body,
  };
}

/** The form field an API error about `edit.*` (or the refused recorded body) belongs to. */
export function draftFieldOf(apiField: string): keyof ReplayDraft | null {
  const name = apiField.replace(/^edit\./, '').split('.')[0];
  return name === 'method' || name === 'path' || name === 'query' || name === 'headers' || name === 'body'
    ? name
    : null;
}

/**
 * The editable request of an edit-and-replay: method, path, query, headers as rows, body. Credentials are
 * not among the headers: the server adds them from the integration.
 */
export function ReplayForm({
  draft,
  onChange,
  errors,
  credentialNote,
}: {
  draft: ReplayDraft;
  onChange: (draft: ReplayDraft) => void;
  errors: Partial<Record<keyof ReplayDraft, string>>;
  credentialNote: ReactNode;
}) {
  const set = <K extends keyof ReplayDraft>(key: K, value: ReplayDraft[K]) => onChange({ ...draft, [key]: value });
  const setHeader = (index: number, part: 'name' | 'value', value: string) =>
    set(
      'headers',
      draft.headers.map((h, i) => (i === index ? { ...h, [part]: value } : h)),
    );
  return (
    <fieldset className="plain replay-edit">
      <legend className="sr-only">Edited request</legend>
      <div className="fields">
        <Field id="replay-method" label="Method" error={errors.method}>
          {(props) => (
            <select {...props} value={draft.method} onChange={(e) => set('method', e.target.value)}>
              {METHODS.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          )}
        </Field>
        <Field id="replay-path" label="Path" error={errors.path} hint="relative to the integration's base URL">
          {(props) => (
            <input
              {...props}
              className="mono"
              value={draft.path}
              spellCheck={false}
              onChange={(e) => set('path', e.target.value)}
            />
          )}
        </Field>
        <Field id="replay-query" label="Query" error={errors.query} hint="e.g. limit=5&starting_after=ch_1">
          {(props) => (
            <input
              {...props}
              className="mono"
              value={draft.query}
              spellCheck={false}
              onChange={(e) => set('query', e.target.value)}
            />
          )}
        </Field>
      </div>
      <fieldset className="plain" aria-describedby={errors.headers ? 'replay-headers-error' : 'replay-headers-note'}>
        <legend className="muted replay-legend">Headers</legend>
        <p id="replay-headers-note" className="muted replay-note">
          {credentialNote}
        </p>
        {draft.headers.map((header, index) => (
          // Rows have no identity beyond their position while being typed into.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <div className="header-row" key={index}>
            <input
              aria-label={`Header ${index + 1} name`}
              className="mono"
              value={header.name}
              spellCheck={false}
              placeholder="x-header-name"
              onChange={(e) => setHeader(index, 'name', e.target.value)}
            />
            <input
              aria-label={`Header ${index + 1} value`}
              className="mono"
              value={header.value}
              spellCheck={false}
              onChange={(e) => setHeader(index, 'value', e.target.value)}
            />
            <button
              type="button"
              className="secondary"
              aria-label={`Remove header ${header.name || index + 1}`}
              onClick={() =>
                set(
                  'headers',
                  draft.headers.filter((_, i) => i !== index),
                )
              }
            >
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          className="secondary"
          onClick={() => set('headers', [...draft.headers, { name: '', value: '' }])}
        >
          Add header
        </button>
        {errors.headers && (
          <span id="replay-headers-error" className="field-error" style={{ display: 'block' }}>
            {errors.headers}
          </span>
        )}
      </fieldset>
      <Field id="replay-body" label="Body" error={errors.body} hint="empty: no body">
        {(props) => (
          <textarea
            {...props}
            className="mono"
            rows={6}
            value={draft.body}
            spellCheck={false}
            onChange={(e) => set('body', e.target.value)}
          />
        )}
      </Field>
    </fieldset>
  );
}
