'use client';

import { type FormEvent, useState } from 'react';
import { ApiError, sendJson, type Wire } from '@/components/ui/api';
import { Field } from '@/components/ui/Field';
import type { WebhookSourceView } from '@/lib/webhooks';

type Source = Wire<WebhookSourceView>;

const SCHEMES = [
  { value: 'standard', label: 'Standard Webhooks (webhook-id / -timestamp / -signature, whsec_ secret)' },
  { value: 'stripe', label: 'Stripe (Stripe-Signature: t=…,v1=…)' },
  { value: 'hmac', label: 'Generic HMAC of the body in a header' },
];

/**
 * Creates a source, or edits one (`source` given). The secret is named by its environment variable; the
 * API validates everything and its field errors are shown beside the inputs.
 */
export function WebhookSourceForm({
  source,
  integrations,
  onSaved,
  onCancel,
}: {
  source?: Source;
  integrations: { slug: string; name: string }[];
  onSaved: (source: Source) => void;
  onCancel?: () => void;
}) {
  const [scheme, setScheme] = useState(source?.scheme ?? 'standard');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const number = (name: string) => (text(name) === '' ? undefined : Number(text(name)));
    const optional = (name: string) => text(name) || null;
    const body: Record<string, unknown> = {
      name: text('name'),
      slug: text('slug'),
      integration: text('integration'),
      forwardPath: text('forwardPath') || '/',
      scheme,
      secretEnv: text('secretEnv'),
      previousSecretEnv: optional('previousSecretEnv'),
      toleranceSeconds: number('toleranceSeconds'),
      maxBodyBytes: number('maxBodyBytes'),
      dedupBy: text('dedupBy') || undefined,
      dedupField: optional('dedupField'),
    };
    if (scheme === 'hmac')
      body.options = {
        algorithm: text('options.algorithm'),
        header: text('options.header'),
        encoding: text('options.encoding'),
        prefix: text('options.prefix'),
        timestampHeader: optional('options.timestampHeader'),
        payload: text('options.payload'),
        idHeader: optional('options.idHeader'),
      };
    setBusy(true);
    setFormError(null);
    try {
      const url = source ? `/api/webhook-sources/${encodeURIComponent(source.slug)}` : '/api/webhook-sources';
      const saved = await sendJson<{ source: Source }>(url, source ? 'PATCH' : 'POST', body);
      setErrors({});
      onSaved(saved.source);
    } catch (error) {
      const fields = error instanceof ApiError ? error.fields : {};
      setErrors(fields);
      setFormError(Object.keys(fields).length ? 'Fix the marked fields.' : (error as Error).message);
      const first = Object.keys(fields)[0];
      if (first) document.getElementById(`webhook-${first}`)?.focus();
    } finally {
      setBusy(false);
    }
  }

  const options = source?.options;
  return (
    <form
      className="panel form"
      onSubmit={submit}
      noValidate
      aria-label={source ? `Edit ${source.name}` : 'New webhook source'}
    >
      <div className="fields">
        <Field id="webhook-name" name="name" label="Name" error={errors.name}>
          {(p) => <input {...p} defaultValue={source?.name} placeholder="Payments provider" />}
        </Field>
        <Field
          id="webhook-slug"
          name="slug"
          label="Slug"
          error={errors.slug}
          hint="The sender posts to /api/webhooks/<slug>"
        >
          {(p) => <input {...p} defaultValue={source?.slug} placeholder="payments" spellCheck={false} />}
        </Field>
        <Field id="webhook-scheme" name="scheme" label="Verification scheme" error={errors.scheme}>
          {(p) => (
            <select {...p} value={scheme} onChange={(e) => setScheme(e.target.value as Source['scheme'])}>
              {SCHEMES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="webhook-secretEnv"
          name="secretEnv"
          label="Secret environment variable"
          error={errors.secretEnv}
          hint="The name of the server variable holding the signing secret; the secret itself is never stored."
        >
          {(p) => (
            <input
              {...p}
              defaultValue={source?.secretEnv}
              placeholder="BREAKWATER_SECRET_PAYMENTS_WEBHOOK"
              spellCheck={false}
            />
          )}
        </Field>
        <Field
          id="webhook-previousSecretEnv"
          name="previousSecretEnv"
          label="Previous secret variable (rotation)"
          error={errors.previousSecretEnv}
          hint="While set, signatures with either secret verify."
        >
          {(p) => <input {...p} defaultValue={source?.previousSecretEnv ?? ''} spellCheck={false} />}
        </Field>
        <Field id="webhook-integration" name="integration" label="Forward to integration" error={errors.integration}>
          {(p) => (
            <select {...p} defaultValue={source?.integration ?? ''}>
              <option value="">Choose…</option>
              {integrations.map((i) => (
                <option key={i.slug} value={i.slug}>
                  {i.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="webhook-forwardPath"
          name="forwardPath"
          label="Forward path"
          error={errors.forwardPath}
          hint="Relative to the integration's base URL."
        >
          {(p) => <input {...p} defaultValue={source?.forwardPath ?? '/'} spellCheck={false} />}
        </Field>
        <Field
          id="webhook-toleranceSeconds"
          name="toleranceSeconds"
          label="Timestamp tolerance (s)"
          error={errors.toleranceSeconds}
        >
          {(p) => <input {...p} type="number" min={1} defaultValue={source?.toleranceSeconds} placeholder="300" />}
        </Field>
        <Field id="webhook-maxBodyBytes" name="maxBodyBytes" label="Body limit (bytes)" error={errors.maxBodyBytes}>
          {(p) => <input {...p} type="number" min={1} defaultValue={source?.maxBodyBytes} placeholder="1048576" />}
        </Field>
        <Field
          id="webhook-dedupBy"
          name="dedupBy"
          label="Deduplicate by"
          error={errors.dedupBy}
          hint="Default: the event id (for HMAC without an id header, the body hash)."
        >
          {(p) => (
            <select {...p} defaultValue={source?.dedupBy ?? ''}>
              <option value="">Default</option>
              <option value="id">Event id</option>
              <option value="field">A JSON field</option>
              <option value="hash">Body hash</option>
            </select>
          )}
        </Field>
        <Field
          id="webhook-dedupField"
          name="dedupField"
          label="Dedup JSON field"
          error={errors.dedupField}
          hint="e.g. data.id"
        >
          {(p) => <input {...p} defaultValue={source?.dedupField ?? ''} spellCheck={false} />}
        </Field>
      </div>
      {scheme === 'hmac' && (
        <fieldset>
          <legend>HMAC options</legend>
          <div className="fields">
            <Field
              id="webhook-options.algorithm"
              name="options.algorithm"
              label="Algorithm"
              error={errors['options.algorithm']}
            >
              {(p) => (
                <select {...p} defaultValue={options?.algorithm ?? 'sha256'}>
                  <option value="sha256">SHA-256</option>
                  <option value="sha1">SHA-1</option>
                  <option value="sha512">SHA-512</option>
                </select>
              )}
            </Field>
            <Field
              id="webhook-options.header"
              name="options.header"
              label="Signature header"
              error={errors['options.header']}
            >
              {(p) => <input {...p} defaultValue={options?.header ?? 'x-signature'} spellCheck={false} />}
            </Field>
            <Field
              id="webhook-options.encoding"
              name="options.encoding"
              label="Encoding"
              error={errors['options.encoding']}
            >
              {(p) => (
                <select {...p} defaultValue={options?.encoding ?? 'hex'}>
                  <option value="hex">hex</option>
                  <option value="base64">base64</option>
                </select>
              )}
            </Field>
            <Field
              id="webhook-options.prefix"
              name="options.prefix"
              label="Prefix"
              error={errors['options.prefix']}
              hint='e.g. "sha256="'
            >
              {(p) => <input {...p} defaultValue={options?.prefix ?? ''} spellCheck={false} />}
            </Field>
            <Field
              id="webhook-options.timestampHeader"
              name="options.timestampHeader"
              label="Timestamp header"
              error={errors['options.timestampHeader']}
            >
              {(p) => <input {...p} defaultValue={options?.timestampHeader ?? ''} spellCheck={false} />}
            </Field>
            <Field
              id="webhook-options.payload"
              name="options.payload"
              label="Signed payload"
              error={errors['options.payload']}
            >
              {(p) => (
                <select {...p} defaultValue={options?.payload ?? 'body'}>
                  <option value="body">body</option>
                  <option value="timestamp.body">timestamp.body</option>
                </select>
              )}
            </Field>
            <Field
              id="webhook-options.idHeader"
              name="options.idHeader"
              label="Event id header"
              error={errors['options.idHeader']}
            >
              {(p) => <input {...p} defaultValue={options?.idHeader ?? ''} spellCheck={false} />}
            </Field>
          </div>
        </fieldset>
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : source ? 'Save source' : 'Create source'}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
        {formError && (
          <span className="field-error" role="alert">
            {formError}
          </span>
        )}
      </div>
    </form>
  );
}
