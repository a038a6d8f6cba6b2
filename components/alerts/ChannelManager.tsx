'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, fetchJson, sendJson } from '@/components/api';

interface ChannelView {
  id: string;
  name: string;
  kind: 'webhook' | 'slack';
  url: string | null;
  secretEnv: string;
  secretConfigured: boolean;
}

export function ChannelManager() {
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [kind, setKind] = useState('webhook');
  const channels = useQuery({
    queryKey: ['alert-channels'],
    queryFn: () => fetchJson<{ channels: ChannelView[] }>('/api/alerts/channels'),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['alert-channels'] });
  const create = useMutation({
    mutationFn: (body: unknown) => sendJson('/api/alerts/channels', 'POST', body),
    onSuccess: refresh,
    onError: (error) => setFields(error instanceof ApiError ? error.fields : {}),
  });
  const remove = useMutation({
    mutationFn: (id: string) => fetchJson<void>(`/api/alerts/channels/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFields({});
    const data = new FormData(event.currentTarget);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    create.mutate({ name: text('name'), kind, url: text('url') || null, secretEnv: text('secretEnv') });
  }

  return (
    <>
      <form className="panel" onSubmit={submit} aria-label="New channel" noValidate>
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
            <input name="name" placeholder="ops webhook" />
            {fields.name && <span className="field-error">{fields.name}</span>}
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
              {fields.url && <span className="field-error">{fields.url}</span>}
            </label>
          )}
          <label>
            {kind === 'webhook' ? 'Variable holding the whsec_ secret' : 'Variable holding the Slack URL'}
            <input name="secretEnv" placeholder={kind === 'webhook' ? 'ALERT_WEBHOOK_SECRET' : 'SLACK_ALERTS_URL'} />
            {fields.secretEnv && <span className="field-error">{fields.secretEnv}</span>}
          </label>
        </div>
        {create.error && (
          <p className="alert" role="alert">
            {create.error.message}
          </p>
        )}
        <button type="submit" style={{ marginTop: 14 }} disabled={create.isPending}>
          Add channel
        </button>
      </form>
      <h2>Channels</h2>
      <section className="panel">
        {channels.data?.channels.length === 0 && (
          <p className="muted">No channels: notifications appear in the in-app list only.</p>
        )}
        {channels.data && channels.data.channels.length > 0 && (
          <div className="table-wrap">
            <table aria-label="Channels">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Kind</th>
                  <th>Target</th>
                  <th>Secret variable</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {channels.data.channels.map((c) => (
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
                      <button type="button" className="danger" onClick={() => remove.mutate(c.id)}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
