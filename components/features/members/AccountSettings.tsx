'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fetchJson, sendJson } from '@/components/ui/api';
import { DataTable } from '@/components/ui/DataTable';
import { FormError } from '@/components/ui/FormError';
import { formatTime } from '@/components/ui/format';

interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  address: string | null;
  userAgent: string | null;
  current: boolean;
}

/** The signed-in user's password and sessions. */
export function AccountSettings() {
  const queryClient = useQueryClient();
  const [changed, setChanged] = useState(false);
  const sessions = useQuery({
    queryKey: ['sessions'],
    queryFn: () => fetchJson<{ sessions: SessionView[] }>('/api/me/sessions'),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['sessions'] });
  const password = useMutation({
    mutationFn: (body: { current: string; next: string }) => sendJson('/api/me/password', 'POST', body),
    onSuccess: () => {
      setChanged(true);
      void refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => fetchJson<void>(`/api/me/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  const revokeOthers = useMutation({
    mutationFn: () => fetchJson('/api/me/sessions', { method: 'DELETE' }),
    onSuccess: refresh,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setChanged(false);
    password.mutate(
      { current: String(form.get('current')), next: String(form.get('next')) },
      { onSuccess: () => formElement.reset() },
    );
  }

  return (
    <>
      <div className="panel">
        <h2>Password</h2>
        <form className="row" method="post" onSubmit={submit} aria-label="Change password">
          <label>
            Current password
            <input name="current" type="password" autoComplete="current-password" required />
          </label>
          <label>
            New password
            <input name="next" type="password" autoComplete="new-password" minLength={12} required />
          </label>
          <button type="submit" disabled={password.isPending}>
            Change password
          </button>
        </form>
        <FormError error={password.error} />
        {changed && (
          <p className="notice" role="status">
            Password changed. Your other sessions were signed out.
          </p>
        )}
      </div>
      <div className="panel">
        <div className="page-head">
          <h2>Sessions</h2>
          <button type="button" onClick={() => revokeOthers.mutate()} disabled={revokeOthers.isPending}>
            Sign out all other sessions
          </button>
        </div>
        <DataTable
          label="Sessions"
          columns={['Browser', 'Address', 'Signed in', 'Last seen', '']}
          rows={sessions.data?.sessions}
          pending={sessions.isPending}
          error={sessions.error ?? revoke.error}
          empty="No sessions."
        >
          {(s) => (
            <tr key={s.id}>
              <td>{s.userAgent ?? 'unknown'}</td>
              <td className="mono">{s.address ?? 'unknown'}</td>
              <td>{formatTime(s.createdAt, true)}</td>
              <td>{s.current ? 'this session' : formatTime(s.lastSeenAt, true)}</td>
              <td>
                {!s.current && (
                  <button type="button" className="danger" onClick={() => revoke.mutate(s.id)}>
                    Sign out
                  </button>
                )}
              </td>
            </tr>
          )}
        </DataTable>
      </div>
    </>
  );
}
