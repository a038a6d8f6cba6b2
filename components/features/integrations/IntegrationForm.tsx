'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { ApiError, type FieldIssue, sendJson } from '@/components/ui/api';
import { formatTime } from '@/components/ui/format';

export interface FieldSpec {
  /** dotted path in the API body, as the API names it in field errors */
  path: string;
  label: string;
  kind: 'text' | 'number' | 'boolean' | 'enum' | 'list' | 'json';
  nullable: boolean;
  hint?: string;
  options?: string[];
  min?: number;
  max?: number;
  integer?: boolean;
  itemKind?: 'number' | 'text';
}

export interface FieldGroup {
  key: string;
  title: string;
  fields: FieldSpec[];
  /** shown, and sent, only while the field at `path` has `value` (the OAuth2 settings: authScheme oauth2) */
  when?: { path: string; value: string };
}

function isActive(group: FieldGroup, raw: Raw): boolean {
  return !group.when || raw[group.when.path] === group.when.value;
}

type Raw = Record<string, string | boolean>;
type Json = Record<string, unknown>;

function valueAt(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, key) => (o as Json | undefined)?.[key], object);
}

function setAt(object: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = object;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]] = value;
}

/** How a value is shown in its input. */
function display(field: FieldSpec, value: unknown): string | boolean {
  if (field.kind === 'boolean') return Boolean(value);
  if (value === null || value === undefined) return '';
  if (field.kind === 'list') return (value as unknown[]).join(', ');
  if (field.kind === 'json') return JSON.stringify(value);
  return String(value);
}

/**
 * Raw inputs back to the API's body. An emptied number or text leaves the field out so the schema's
 * default applies (or null where the schema allows null); bad numbers are sent as they are, for the API
 * to name.
 */
function toBody(groups: FieldGroup[], raw: Raw): { body: Json; jsonErrors: FieldIssue[] } {
  const body: Json = {};
  const jsonErrors: FieldIssue[] = [];
  for (const field of groups.filter((g) => isActive(g, raw)).flatMap((g) => g.fields)) {
    const value = raw[field.path];
    if (field.kind === 'boolean') {
      setAt(body, field.path, value === true);
      continue;
    }
    const text = String(value ?? '').trim();
    if (text === '') {
      if (field.nullable) setAt(body, field.path, null);
      else if (field.kind === 'list') setAt(body, field.path, []);
      else if (field.kind === 'text') setAt(body, field.path, '');
      continue;
    }
    if (field.kind === 'number') setAt(body, field.path, Number.isNaN(Number(text)) ? text : Number(text));
    else if (field.kind === 'list') {
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      setAt(
        body,
        field.path,
        field.itemKind === 'number' ? items.map((s) => (Number.isNaN(Number(s)) ? s : Number(s))) : items,
      );
    } else if (field.kind === 'json') {
      try {
        setAt(body, field.path, JSON.parse(text));
      } catch {
        jsonErrors.push({ field: field.path, message: 'must be valid JSON' });
      }
    } else setAt(body, field.path, text);
  }
  return { body, jsonErrors };
}

/** The field an API issue belongs to: its own path, or the list/JSON field that contains it. */
function ownerOf(groups: FieldGroup[], issue: string): string | null {
  const fields = groups.flatMap((g) => g.fields);
  return fields.find((f) => issue === f.path || issue.startsWith(`${f.path}.`))?.path ?? null;
}

interface Props {
  groups: FieldGroup[];
  /** the values the form starts from: the integration, or the schema's defaults for a new one */
  initial: Json;
  /** the schema's defaults, shown as placeholders */
  defaults: Json;
  /** the integration's slug when editing; absent when creating */
  slug?: string;
}

export function IntegrationForm({ groups, initial, defaults, slug }: Props) {
  const router = useRouter();
  const fields = groups.flatMap((g) => g.fields);
  const [raw, setRaw] = useState<Raw>(() =>
    Object.fromEntries(fields.map((f) => [f.path, display(f, valueAt(initial, f.path))])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(null);
    setFormError(null);
    const { body, jsonErrors } = toBody(groups, raw);
    if (jsonErrors.length) {
      setErrors(Object.fromEntries(jsonErrors.map((e) => [e.field, e.message])));
      return;
    }
    setBusy(true);
    try {
      const url = slug ? `/api/integrations/${encodeURIComponent(slug)}` : '/api/integrations';
      const { integration } = await sendJson<{ integration: { slug: string } }>(url, slug ? 'PATCH' : 'POST', body);
      setErrors({});
      if (!slug || integration.slug !== slug) {
        router.push(`/settings/integrations/${integration.slug}/edit?${slug ? 'saved' : 'created'}=1`);
        return;
      }
      setSaved(`Saved at ${formatTime(Date.now())}; it applies to the next call.`);
      router.refresh();
    } catch (error) {
      const issues = error instanceof ApiError ? error.issues : [];
      const byField: Record<string, string> = {};
      const unplaced: string[] = [];
      for (const issue of issues) {
        const owner = ownerOf(groups, issue.field);
        if (owner) byField[owner] ??= issue.message;
        else unplaced.push(`${issue.field}: ${issue.message}`);
      }
      setErrors(byField);
      const message = error instanceof Error ? error.message : String(error);
      setFormError(unplaced.length ? unplaced.join('; ') : issues.length ? 'Fix the marked fields.' : message);
      // Open the section holding the first bad field, and take the user there.
      const first = Object.keys(byField)[0];
      if (first) {
        const input = document.getElementById(`field-${first}`);
        input?.closest('details')?.setAttribute('open', '');
        input?.focus();
      }
    } finally {
      setBusy(false);
    }
  }

  function input(field: FieldSpec) {
    const id = `field-${field.path}`;
    const error = errors[field.path];
    const described = [error && `${id}-error`, field.hint && `${id}-hint`].filter(Boolean).join(' ') || undefined;
    const common = { id, name: field.path, 'aria-invalid': error ? true : undefined, 'aria-describedby': described };
    const value = raw[field.path];
    const set = (v: string | boolean) => setRaw((r) => ({ ...r, [field.path]: v }));
    const placeholder = String(display(field, valueAt(defaults, field.path)) || '');
    const messages = (
      <>
        {field.hint && (
          <span id={`${id}-hint`} className="muted" style={{ fontSize: 12 }}>
            {field.hint}
          </span>
        )}
        {error && (
          <span id={`${id}-error`} className="field-error">
            {error}
          </span>
        )}
      </>
    );
    if (field.kind === 'boolean')
      return (
        <div key={field.path}>
          <label className="check" htmlFor={id}>
            <input type="checkbox" {...common} checked={value === true} onChange={(e) => set(e.target.checked)} />
            {field.label}
          </label>
          {messages}
        </div>
      );
    return (
      <div key={field.path} style={{ display: 'grid', gap: 4 }}>
        <label htmlFor={id}>{field.label}</label>
        {field.kind === 'enum' ? (
          <select {...common} value={String(value)} onChange={(e) => set(e.target.value)}>
            {field.options!.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        ) : field.kind === 'json' ? (
          <textarea
            {...common}
            rows={2}
            value={String(value)}
            placeholder={placeholder}
            spellCheck={false}
            onChange={(e) => set(e.target.value)}
          />
        ) : (
          <input
            {...common}
            type={field.kind === 'number' ? 'number' : 'text'}
            step={field.kind === 'number' ? (field.integer ? 1 : 'any') : undefined}
            inputMode={field.kind === 'number' ? 'decimal' : undefined}
            value={String(value)}
            placeholder={placeholder}
            spellCheck={false}
            onChange={(e) => set(e.target.value)}
          />
        )}
        {messages}
      </div>
    );
  }

  return (
    <form className="form" onSubmit={submit} noValidate aria-label={slug ? 'Edit integration' : 'New integration'}>
      {groups
        .filter((group) => isActive(group, raw))
        .map((group) =>
          group.key === 'general' || group.when ? (
            <fieldset key={group.key}>
              <legend>{group.title}</legend>
              <div className="fields">{group.fields.map(input)}</div>
            </fieldset>
          ) : (
            <details key={group.key}>
              <summary>{group.title}</summary>
              <div className="fields">{group.fields.map(input)}</div>
            </details>
          ),
        )}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : slug ? 'Save changes' : 'Create integration'}
        </button>
        {formError && (
          <span className="field-error" role="alert">
            {formError}
          </span>
        )}
        {saved && (
          <span className="status-ok" role="status">
            {saved}
          </span>
        )}
      </div>
    </form>
  );
}
