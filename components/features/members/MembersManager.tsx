'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fetchJson, sendJson } from '@/components/ui/api';
import { DataTable } from '@/components/ui/DataTable';
import { FormError } from '@/components/ui/FormError';
import { formatDay, formatTime } from '@/components/ui/format';
import { ROLES } from '@/lib/model';

interface Member {
  userId: string;
  username: string;
  role: string;
  since: string;
}

interface Invite {
  id: string;
  role: string;
  createdAt: string;
  expiresAt: string;
}

/** The workspace's members (role change, removal) and its invitations (create a one-time link, withdraw). */
export function MembersManager({ ws, selfId }: { ws: string; selfId: string }) {
  const queryClient = useQueryClient();
  const q = `?ws=${encodeURIComponent(ws)}`;
  const [link, setLink] = useState<string | null>(null);
  const data = useQuery({
    queryKey: ['members', ws],
    queryFn: () => fetchJson<{ members: Member[]; invites: Invite[] }>(`/api/members${q}`),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['members', ws] });
  const invite = useMutation({
    mutationFn: (body: { role: string; expiresInDays: number }) =>
      sendJson<{ url: string }>(`/api/members/invites${q}`, 'POST', body),
    onSuccess: ({ url }) => {
      setLink(url);
      void refresh();
    },
  });
  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: string }) =>
      sendJson(`/api/members/${encodeURIComponent(userId)}${q}`, 'PATCH', { role }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (userId: string) =>
      fetchJson<void>(`/api/members/${encodeURIComponent(userId)}${q}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  const withdraw = useMutation({
    mutationFn: (id: string) =>
      fetchJson<void>(`/api/members/invites/${encodeURIComponent(id)}${q}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    invite.mutate({ role: String(form.get('role')), expiresInDays: Number(form.get('days') || 7) });
  }

  return (
    <>
      <div className="panel">
        <DataTable
          label="Members"
          columns={['Member', 'Role', 'Since', '']}
          rows={data.data?.members}
          pending={data.isPending}
          error={data.error}
          empty="No members."
        >
          {(m) => (
            <tr key={m.userId}>
              <td>{m.username}</td>
              <td>
                <select
                  aria-label={`Role of ${m.username}`}
                  value={m.role}
                  disabled={changeRole.isPending}
                  onChange={(event) => changeRole.mutate({ userId: m.userId, role: event.target.value })}
                >
                  {ROLES.map((role) => (
                    <option key={role} value={role}>
                      {role}
                    </option>
                  ))}
                </select>
              </td>
              <td>{formatDay(m.since)}</td>
              <td>
                {m.userId !== selfId && (
                  <button
                    type="button"
                    className="danger"
                    onClick={() =>
                      window.confirm(
                        `Remove ${m.username}? Their sessions end at once and their tokens here stop working.`,
                      ) && remove.mutate(m.userId)
                    }
                  >
                    Remove
                  </button>
                )}
              </td>
            </tr>
          )}
        </DataTable>
        <FormError error={changeRole.error ?? remove.error} />
      </div>
      <div className="panel">
        <h2>Invite</h2>
        <form className="row" onSubmit={submit} aria-label="Invite a member">
          <label>
            Role
            <select name="role" defaultValue="viewer">
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </select>
          </label>
          <label>
            Valid for (days)
            <input name="days" type="number" min={1} max={30} defaultValue={7} />
          </label>
          <button type="submit" disabled={invite.isPending}>
            Create invitation link
          </button>
        </form>
        <FormError error={invite.error} />
        {link && (
          <p className="notice" role="status">
            Invitation link (works once; copy it now, it will not be shown again):{' '}
            <code data-testid="invite-link">{link}</code>
          </p>
        )}
        <DataTable
          label="Pending invitations"
          columns={['Role', 'Created', 'Expires', '']}
          rows={data.data?.invites}
          pending={data.isPending}
          error={null}
          empty="No pending invitations."
        >
          {(i) => (
            <tr key={i.id}>
              <td>{i.role}</td>
              <td>{formatTime(i.createdAt, true)}</td>
              <td>{formatTime(i.expiresAt, true)}</td>
              <td>
                <button type="button" className="danger" onClick={() => withdraw.mutate(i.id)}>
                  Withdraw
                </button>
              </td>
            </tr>
          )}
        </DataTable>
      </div>
    </>
  );
}
