'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fetchJson } from '@/components/ui/api';
import { DataTable } from '@/components/ui/DataTable';
import { formatTime } from '@/components/ui/format';

interface AuditEvent {
  id: string;
  at: string;
  actor: { type: string; id: string; name: string };
  address: string | null;
  action: string;
  objectType: string;
  objectId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

type Filters = Record<'actor' | 'action' | 'objectType' | 'objectId' | 'from' | 'to', string>;
const EMPTY: Filters = { actor: '', action: '', objectType: '', objectId: '', from: '', to: '' };

function diffText(event: AuditEvent): string {
  const parts: string[] = [];
  const keys = new Set([...Object.keys(event.before ?? {}), ...Object.keys(event.after ?? {})]);
  for (const key of keys) {
    const before = event.before && key in event.before ? JSON.stringify(event.before[key]) : '–';
    const after = event.after && key in event.after ? JSON.stringify(event.after[key]) : '–';
    parts.push(`${key}: ${before} → ${after}`);
  }
  return parts.join('; ');
}

/** The workspace's audit log, newest first, with filters and "load more" (cursor paging). */
export function AuditLog({ ws }: { ws: string }) {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const events = useInfiniteQuery({
    queryKey: ['audit', ws, filters],
    initialPageParam: '',
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ ws });
      for (const [key, value] of Object.entries(filters)) {
        if (!value) continue;
        params.set(key, key === 'from' || key === 'to' ? new Date(value).toISOString() : value);
      }
      if (pageParam) params.set('cursor', pageParam);
      return fetchJson<{ events: AuditEvent[]; nextCursor: string | null }>(`/api/audit?${params}`);
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setFilters(Object.fromEntries(Object.keys(EMPTY).map((key) => [key, String(form.get(key) ?? '')])) as Filters);
  }

  return (
    <div className="panel">
      <form className="row" onSubmit={submit} aria-label="Filter the audit log">
        <label>
          Actor
          <input name="actor" placeholder="username" />
        </label>
        <label>
          Action
          <input name="action" placeholder="member.remove or member." />
        </label>
        <label>
          Object type
          <input name="objectType" placeholder="integration" />
        </label>
        <label>
          Object id
          <input name="objectId" />
        </label>
        <label>
          From
          <input name="from" type="datetime-local" />
        </label>
        <label>
          To
          <input name="to" type="datetime-local" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <DataTable
        label="Audit log"
        columns={['When', 'Actor', 'Address', 'Action', 'Object', 'Change']}
        rows={events.data?.pages.flatMap((page) => page.events)}
        pending={events.isPending}
        error={events.error}
        empty="No events."
      >
        {(e) => (
          <tr key={e.id}>
            <td>{formatTime(e.at, true)}</td>
            <td>
              {e.actor.name}
              {e.actor.type === 'token' && <span className="muted"> (token)</span>}
            </td>
            <td className="mono">{e.address ?? ''}</td>
            <td className="mono">{e.action}</td>
            <td>
              {e.objectType} <span className="mono muted">{e.objectId}</span>
            </td>
            <td className="mono">{diffText(e)}</td>
          </tr>
        )}
      </DataTable>
      {events.hasNextPage && (
        <button type="button" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          Load more
        </button>
      )}
    </div>
  );
}
