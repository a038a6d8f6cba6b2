'use client';

import { type FormEvent, useState } from 'react';
import { DataTable } from '@/components/ui/DataTable';
import { FieldError } from '@/components/ui/FieldError';
import { FormError } from '@/components/ui/FormError';
import { useCollection } from '@/components/ui/useCollection';

interface ChannelView {
  id: string;
  name: string;
  kind: 'webhook' | 'slack';
  url: string | null;
  secretEnv: string;
  secretConfigured: boolean;
}

/** `canEdit`: the viewer's role may create and delete channels (editor and up). */
export function ChannelManager({ canEdit = true }: { canEdit?: boolean } = {}) {
  const {
    list: channels,
    create,
    remove,
    fields,
  } = useCollection<{ channels: ChannelView[] }>('alert-channels', '/api/alerts/channels');
  const [kind, setKind] = useState('webhook');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    create.mutate({ name: text('name'), kind, url: text('url') || null, secretEnv: text('secretEnv') });
  }

  return (
    <>
      {canEdit && (
        <form className="panel" onSubmit={submit} aria-label="New channel" noValidate>
          <div className="fields">
            <label>
              Name
              <input name="name" placeholder="ops webhook" />
              <FieldError fields={fields} name="name" />
            </label>
            <label>
              Kind
              <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
                <option value="webhook">Webhook (Standard Webhooks signature)</option>
                <option value="slack">Slack incoming webhook</option>
              </select>
            </label>
            {kind === 'webhook' && (
              <label>
                URL
                <input name="url" placeholder="https://example.com/hooks/breakwater" />
                <FieldError fields={fields} name="url" />
              </label>
            )}
            <label>
              {kind === 'webhook' ? 'Variable holding the whsec_ secret' : 'Variable holding the Slack URL'}
              <input
                name="secretEnv"
                placeholder={
                  kind === 'webhook' ? 'BREAKWATER_SECRET_ALERT_WEBHOOK' : 'BREAKWATER_SECRET_SLACK_ALERTS_URL'
                }
              />
              <FieldError fields={fields} name="secretEnv" />
            </label>
          </div>
          <FormError error={create.error} />
          <button type="submit" style={{ marginTop: 14 }} disabled={create.isPending}>
            Add channel
          </button>
        </form>
      )}
      <h2>Channels</h2>
      <section className="panel">
        <DataTable
          label="Channels"
          columns={['Name', 'Kind', 'Target', 'Secret variable', '']}
          rows={channels.data?.channels}
          error={channels.error}
          empty="No channels: notifications appear in the in-app list only."
        >
          {(c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.kind}</td>
              <td className="mono">{c.url ?? '(from the variable)'}</td>
              <td>
                <code>{c.secretEnv}</code>{' '}
                <span className={c.secretConfigured ? 'status-ok' : 'status-bad'}>
                  {c.secretConfigured ? 'set' : 'not set on the server'}
                </span>
              </td>
              <td>
                {canEdit && (
                  <button type="button" className="danger" onClick={() => remove.mutate(c.id)}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          )}
        </DataTable>
      </section>
    </>
  );
}
