'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { ApiError, fetchJson, sendJson } from '@/components/ui/api';
import { FieldError } from '@/components/ui/FieldError';
import type { RuleView } from './api';
import { type PreviewData, RulePreviews } from './RulePreview';

function pairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

const lines = (record: Record<string, string>) =>
  Object.entries(record)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

/** Reads the form into the API's rule shape; the server validates it and names bad fields. */
function ruleOf(form: HTMLFormElement): Record<string, unknown> {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const threshold = text('threshold');
  const { summary: _summary, ...otherAnnotations } = pairs(text('annotations'));
  return {
    name: text('name'),
    enabled: data.get('enabled') === 'on',
    integrations: data.getAll('integrations').map(String),
    route: text('route') || null,
    metric: text('metric'),
    comparator: text('comparator'),
    threshold: threshold === '' || Number.isNaN(Number(threshold)) ? threshold : Number(threshold),
    window: text('window'),
    for: text('for'),
    keepFiringFor: text('keepFiringFor'),
    severity: text('severity'),
    noData: text('noData'),
    repeatInterval: text('repeatInterval'),
    labels: pairs(text('labels')),
    annotations: { ...otherAnnotations, summary: text('summary') },
  };
}

/** A rule a new one can start from (lib/alerts' BUDGET_RULES): the form is filled with it. */
export type RulePreset = Partial<RuleView> & { name: string };

/**
 * `metrics`: [name, label with unit] from lib/alerts' metricChoices, passed down by the page; `presets`: rules a
 * new one may start from.
 */
export function RuleForm({
  rule,
  metrics,
  presets = [],
}: {
  rule?: RuleView;
  metrics: [string, string][];
  presets?: RulePreset[];
}) {
  const router = useRouter();
  const [preset, setPreset] = useState<RulePreset>();
  const defaults: Partial<RuleView> | undefined = rule ?? preset;
  const [fields, setFields] = useState<Record<string, string>>({});
  const integrations = useQuery({
    queryKey: ['integrations'],
    queryFn: () => fetchJson<{ integrations: { slug: string; name: string }[] }>('/api/integrations'),
  });
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      rule
        ? sendJson<{ rule: RuleView }>(`/api/alerts/rules/${rule.id}`, 'PUT', body)
        : sendJson<{ rule: RuleView }>('/api/alerts/rules', 'POST', body),
    onSuccess: () => router.push('/alerts'),
    onError: (error) => setFields(error instanceof ApiError ? error.fields : {}),
  });
  const preview = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      sendJson<{ previews: PreviewData[] }>('/api/alerts/preview', 'POST', { rule: body }),
    onError: (error) => setFields(error instanceof ApiError ? prefixless(error.fields) : {}),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFields({});
    save.mutate(ruleOf(event.currentTarget));
  }

  const { summary, ...otherAnnotations } = defaults?.annotations ?? {};
  return (
    <form
      key={preset?.name}
      onSubmit={submit}
      aria-label={rule ? 'Edit alert rule' : 'New alert rule'}
      noValidate
      className="panel"
    >
      {!rule && presets.length > 0 && (
        <div className="row" style={{ marginBottom: 14 }}>
          <span className="muted">Start from:</span>
          {presets.map((p) => (
            <button key={p.name} type="button" className="secondary" onClick={() => setPreset(p)}>
              {p.name}
            </button>
          ))}
        </div>
      )}
      <div
        style={{
          display: 'grid',
          gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
          gap: 14,
          alignItems: 'start',
        }}
      >
        <label>
          Name
          <input name="name" defaultValue={defaults?.name} required maxLength={100} />
          <FieldError fields={fields} name="name" />
        </label>
        <label>
          Metric
          <select name="metric" defaultValue={defaults?.metric ?? 'error_rate'}>
            {metrics.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <FieldError fields={fields} name="metric" />
        </label>
        <label>
          Comparator
          <select name="comparator" defaultValue={defaults?.comparator ?? '>'}>
            {['>', '>=', '<', '<='].map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Threshold
          <input name="threshold" inputMode="decimal" defaultValue={defaults?.threshold ?? 5} />
          <FieldError fields={fields} name="threshold" />
        </label>
        <label>
          Window
          <input name="window" defaultValue={defaults?.window ?? '5m'} placeholder="5m" />
          <FieldError fields={fields} name="window" />
        </label>
        <label>
          For (pending before firing)
          <input name="for" defaultValue={defaults?.for ?? '1m'} placeholder="1m" />
          <FieldError fields={fields} name="for" />
        </label>
        <label>
          Keep firing for
          <input name="keepFiringFor" defaultValue={defaults?.keepFiringFor ?? '0s'} placeholder="0s" />
          <FieldError fields={fields} name="keepFiringFor" />
        </label>
        <label>
          Severity
          <select name="severity" defaultValue={defaults?.severity ?? 'warning'}>
            {['critical', 'warning', 'info'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          When there is no data
          <select name="noData" defaultValue={defaults?.noData ?? 'ok'}>
            <option value="ok">treat as OK</option>
            <option value="alerting">treat as alerting</option>
            <option value="keep_last">keep the last state</option>
          </select>
        </label>
        <label>
          Repeat interval
          <input name="repeatInterval" defaultValue={defaults?.repeatInterval ?? '4h'} placeholder="4h" />
          <FieldError fields={fields} name="repeatInterval" />
        </label>
        <label>
          Route (optional)
          <input name="route" defaultValue={defaults?.route ?? ''} placeholder="/v1/charges" />
          <FieldError fields={fields} name="route" />
        </label>
        <label className="inline" style={{ alignSelf: 'end' }}>
          <input type="checkbox" name="enabled" defaultChecked={defaults?.enabled ?? true} /> Enabled
        </label>
      </div>
      <fieldset style={{ border: 0, padding: 0, margin: '14px 0' }}>
        <legend className="muted">Integrations (none ticked: all, including future ones)</legend>
        <div className="row">
          {integrations.data?.integrations.map((i) => (
            <label key={i.slug} className="inline">
              <input
                type="checkbox"
                name="integrations"
                value={i.slug}
                defaultChecked={defaults?.integrations?.includes(i.slug)}
              />
              {i.name}
            </label>
          ))}
        </div>
        <FieldError fields={fields} name="integrations" />
      </fieldset>
      <div
        style={{
          display: 'grid',
          gridTemplateColumns: 'repeat(auto-fill, minmax(320px, 1fr))',
          gap: 14,
          alignItems: 'start',
        }}
      >
        <label>
          Summary ({'{{value}}'}, {'{{threshold}}'}, {'{{integration}}'})
          <input
            name="summary"
            defaultValue={summary ?? '{{integration}}: value {{value}} crossed {{threshold}}'}
            maxLength={2000}
          />
          <FieldError fields={fields} name="annotations" />
        </label>
        <label>
          Labels (name=value per line)
          <textarea name="labels" rows={2} defaultValue={lines(defaults?.labels ?? {})} />
          <FieldError fields={fields} name="labels" />
        </label>
        <label>
          Other annotations (name=value per line)
          <textarea name="annotations" rows={2} defaultValue={lines(otherAnnotations)} />
        </label>
      </div>
      {save.error && (
        <p className="alert" role="alert">
          {save.error.message}
        </p>
      )}
      {preview.error && (
        <p className="alert" role="alert">
          Preview: {preview.error.message}
        </p>
      )}
      <div className="row" style={{ marginTop: 14 }}>
        <button type="submit" disabled={save.isPending}>
          {rule ? 'Save rule' : 'Create rule'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={preview.isPending}
          onClick={(event) => {
            setFields({});
            preview.mutate(ruleOf(event.currentTarget.form!));
          }}
        >
          Preview last 24 h
        </button>
      </div>
      {preview.data && (
        <div style={{ marginTop: 14 }}>
          <RulePreviews previews={preview.data.previews} />
        </div>
      )}
    </form>
  );
}

/** Preview errors name fields under `rule.`; the form's inputs are named without it. */
function prefixless(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([field, message]) => [field.replace(/^rule\./, ''), message]));
}
