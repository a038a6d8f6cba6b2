'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fetchJson, sendJson } from './api';

interface TokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function TokenManager() {
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<string | null>(null);
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => fetchJson<{ tokens: TokenView[] }>('/api/tokens') });
  const create = useMutation({
    mutationFn: (name: string) => sendJson<{ token: string }>('/api/tokens', 'POST', { name }),
    onSuccess: ({ token }) => {
      setCreated(token);
      void queryClient.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => fetchJson<void>(`/api/tokens/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    create.mutate(String(new FormData(form).get('name') ?? ''), { onSuccess: () => form.reset() });
  }

  return (
    <div className="panel">
      <form className="row" onSubmit={submit} aria-label="Create an API token">
        <label>
          Token name
          <input name="name" placeholder="checkout-service" required maxLength={100} />
        </label>
        <button type="submit" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {create.error && (
        <p className="alert" role="alert">
          {create.error.message}
        </p>
      )}
      {created && (
        <p className="notice" role="status">
          New token (copy it now, it will not be shown again): <code data-testid="new-token">{created}</code>
        </p>
      )}
      {tokens.isPending && <p className="muted">Loading tokens…</p>}
      {tokens.error && (
        <p className="alert" role="alert">
          Could not load tokens: {tokens.error.message}
        </p>
      )}
      {tokens.data && tokens.data.tokens.length === 0 && <p className="muted">No tokens yet.</p>}
      {tokens.data && tokens.data.tokens.length > 0 && (
        <div className="table-wrap">
          <table aria-label="API tokens">
            <thead>
              <tr>
                <th>Name</th>
                <th>Token</th>
                <th>Created</th>
                <th>Last used</th>
                <th>State</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tokens.data.tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td className="mono">{t.prefix}…</td>
                  <td>{new Date(t.createdAt).toLocaleString()}</td>
                  <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'}</td>
                  <td>
                    {t.revokedAt ? (
                      <span className="status-bad">revoked</span>
                    ) : (
                      <span className="status-ok">active</span>
                    )}
                  </td>
                  <td>
                    {!t.revokedAt && (
                      <button
                        type="button"
                        className="danger"
                        onClick={() =>
                          window.confirm(`Revoke token "${t.name}"? Callers using it will get 401.`) &&
                          revoke.mutate(t.id)
                        }
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
