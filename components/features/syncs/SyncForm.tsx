'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError, sendJson } from '@/components/ui/api';
import type { SyncWire } from './SyncStatus';

/** lib/syncs' SYNC_DEFAULTS and interval bounds, passed from the server page so they are written once. */
export interface SyncFormDefaults {
  mode: string;
  limitParam: string;
  pageSize: number;
  maxPages: number;
  itemsField: string;
  nextField: string;
  idField: string;
  intervalSeconds: number;
  intervalMin: number;
  intervalMax: number;
}

interface Props {
  integrations: string[];
  defaults: SyncFormDefaults;
  /** the sync being edited; absent when creating */
  sync?: SyncWire;
}

const NUMBER_FIELDS = ['pageSize', 'maxPages', 'intervalSeconds'] as const;
const TEXT_FIELDS = ['slug', 'integration', 'path', 'mode', 'itemsField', 'nextField', 'idField', 'sink'] as const;
/** Emptied, these mean "none" (null), except the checkpoint parameter, which then follows the mode. */
const NULLABLE_FIELDS = ['limitParam', 'timeField', 'sinkUrl', 'sinkSecretEnv'] as const;

/**
 * Creates or edits a sync. Values go to the API as typed (a bad number is sent as it is) so the API's
 * schema is the only judge; its field errors are shown beside the fields.
 */
export function SyncForm({ integrations, defaults, sync }: Props) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [sink, setSink] = useState(sync?.sink ?? 'events');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  function bodyOf(data: FormData): Record<string, unknown> {
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const body: Record<string, unknown> = { enabled: data.get('enabled') === 'on' };
    for (const name of TEXT_FIELDS) body[name] = text(name);
    for (const name of NUMBER_FIELDS) {
      const value = text(name);
      if (value !== '') body[name] = Number.isNaN(Number(value)) ? value : Number(value);
    }
    for (const name of NULLABLE_FIELDS) body[name] = text(name) || null;
    if (sink === 'events') Object.assign(body, { sinkUrl: null, sinkSecretEnv: null });
    if (text('cursorParam')) body.cursorParam = text('cursorParam');
    // The checkpoint moves while the form is open, so an edit sends one only when a new one is typed in.
    if (text('checkpoint')) body.checkpoint = text('checkpoint');
    return body;
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors({});
    setFormError(null);
    setSaved(false);
    setBusy(true);
    try {
      const url = sync ? `/api/syncs/${encodeURIComponent(sync.slug)}` : '/api/syncs';
      const body = bodyOf(new FormData(event.currentTarget));
      const answer = await sendJson<{ sync: SyncWire }>(url, sync ? 'PATCH' : 'POST', body);
      await queryClient.invalidateQueries({ queryKey: ['syncs'] });
      await queryClient.invalidateQueries({ queryKey: ['sync'] });
      if (!sync || answer.sync.slug !== sync.slug) router.push(`/syncs/${answer.sync.slug}`);
      else setSaved(true);
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length) setErrors(error.fields);
      setFormError(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  }

  const idOf = (name: string) => `sync-${name}`;
  const field = (name: string, label: string, input: ReactNode, hint?: string) => (
    <div style={{ display: 'grid', gap: 4 }}>
      <label htmlFor={idOf(name)}>{label}</label>
      {input}
      {hint && <span className="muted">{hint}</span>}
      {errors[name] && (
        <span className="field-error" id={`${idOf(name)}-error`}>
          {errors[name]}
        </span>
      )}
    </div>
  );
  const common = (name: string) => ({
    id: idOf(name),
    name,
    'aria-invalid': Boolean(errors[name]),
    'aria-describedby': errors[name] ? `${idOf(name)}-error` : undefined,
  });
  const textInput = (name: string, value: string | null | undefined, placeholder?: string) => (
    <input {...common(name)} defaultValue={value ?? ''} placeholder={placeholder} />
  );
  const numberInput = (name: string, value: number | undefined, placeholder: number) => (
    <input {...common(name)} inputMode="numeric" defaultValue={value ?? ''} placeholder={String(placeholder)} />
  );

  return (
    <form className="form" onSubmit={submit} aria-label={sync ? 'Edit sync' : 'New sync'} noValidate>
      <fieldset>
        <legend>What to poll</legend>
        <div className="fields">
          {field('slug', 'Slug', textInput('slug', sync?.slug, 'crm-contacts'))}
          {field(
            'integration',
            'Integration',
            <select {...common('integration')} defaultValue={sync?.integration ?? integrations[0] ?? ''}>
              {integrations.map((slug) => (
                <option key={slug} value={slug}>
                  {slug}
                </option>
              ))}
            </select>,
            'Polled through its resilient client, with its credentials.',
          )}
          {field('path', 'Path', textInput('path', sync?.path, '/events'), 'Relative to the integration’s base URL.')}
          {field(
            'intervalSeconds',
            'Interval (seconds)',
            numberInput('intervalSeconds', sync?.intervalSeconds, defaults.intervalSeconds),
            `${defaults.intervalMin} to ${defaults.intervalMax}`,
          )}
          <label className="check" htmlFor={idOf('enabled')}>
            <input type="checkbox" id={idOf('enabled')} name="enabled" defaultChecked={sync?.enabled ?? true} />
            Enabled
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Pages</legend>
        <div className="fields">
          {field(
            'mode',
            'Mode',
            <select {...common('mode')} defaultValue={sync?.mode ?? defaults.mode}>
              <option value="since">since (a timestamp or offset)</option>
              <option value="cursor">cursor (an opaque token)</option>
            </select>,
          )}
          {field('cursorParam', 'Checkpoint parameter', textInput('cursorParam', sync?.cursorParam, 'the mode’s name'))}
          {field(
            'limitParam',
            'Page size parameter',
            textInput('limitParam', sync ? sync.limitParam : defaults.limitParam),
            'Empty: none.',
          )}
          {field('pageSize', 'Page size', numberInput('pageSize', sync?.pageSize, defaults.pageSize))}
          {field('maxPages', 'Pages per run at most', numberInput('maxPages', sync?.maxPages, defaults.maxPages))}
          {field('itemsField', 'Items at', textInput('itemsField', sync?.itemsField ?? defaults.itemsField))}
          {field('nextField', 'Next checkpoint at', textInput('nextField', sync?.nextField ?? defaults.nextField))}
          {field('idField', 'Item id at', textInput('idField', sync?.idField ?? defaults.idField))}
          {field('timeField', 'Item time at', textInput('timeField', sync?.timeField, 'at'), 'For lag; empty: none.')}
          {field(
            'checkpoint',
            sync ? 'Move the checkpoint to' : 'Start from checkpoint',
            textInput('checkpoint', null),
            sync ? 'Empty: keep it. A value rewinds or skips.' : 'Empty: the feed’s beginning.',
          )}
        </div>
      </fieldset>
      <fieldset>
        <legend>Where items go</legend>
        <div className="fields">
          {field(
            'sink',
            'Sink',
            <select {...common('sink')} value={sink} onChange={(e) => setSink(e.target.value as SyncWire['sink'])}>
              <option value="events">Stored events</option>
              <option value="webhook">Signed webhook (Standard Webhooks)</option>
            </select>,
          )}
          {sink === 'webhook' && (
            <>
              {field('sinkUrl', 'Webhook URL', textInput('sinkUrl', sync?.sinkUrl, 'https://example.com/hooks/feed'))}
              {field(
                'sinkSecretEnv',
                'Variable holding the whsec_ secret',
                textInput('sinkSecretEnv', sync?.sinkSecretEnv, 'BREAKWATER_SECRET_FEED_WEBHOOK'),
                'The secret itself is never stored.',
              )}
            </>
          )}
        </div>
      </fieldset>
      {formError && (
        <p className="alert" role="alert">
          {formError}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {sync ? 'Save' : 'Create sync'}
        </button>
        {saved && <span className="status-ok">Saved.</span>}
      </div>
    </form>
  );
}
