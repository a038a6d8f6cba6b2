'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fetchJson, sendJson } from '@/components/ui/api';
import { DataTable } from '@/components/ui/DataTable';
import { FormError } from '@/components/ui/FormError';

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
      <FormError error={create.error} />
      {created && (
        <p className="notice" role="status">
          New token (copy it now, it will not be shown again): <code data-testid="new-token">{created}</code>
        </p>
      )}
      <DataTable
        label="API tokens"
        columns={['Name', 'Token', 'Created', 'Last used', 'State', '']}
        rows={tokens.data?.tokens}
        pending={tokens.isPending}
        error={tokens.error}
        empty="No tokens yet."
      >
        {(t) => (
          <tr key={t.id}>
            <td>{t.name}</td>
            <td className="mono">{t.prefix}…</td>
            <td>{new Date(t.createdAt).toLocaleString()}</td>
            <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'}</td>
            <td>
              {t.revokedAt ? <span className="status-bad">revoked</span> : <span className="status-ok">active</span>}
            </td>
            <td>
              {!t.revokedAt && (
                <button
                  type="button"
                  className="danger"
                  onClick={() =>
                    window.confirm(`Revoke token "${t.name}"? Callers using it will get 401.`) && revoke.mutate(t.id)
                  }
                >
                  Revoke
                </button>
              )}
            </td>
          </tr>
        )}
      </DataTable>
    </div>
  );
}
