'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/components/ui/api';
import { DataTable } from '@/components/ui/DataTable';
import { formatDay, formatTime } from '@/components/ui/format';

interface Caller {
  tokenId: string;
  name: string;
  prefix: string;
  owner: string;
  callsThisMonth: number;
  monthlyQuota: number | null;
  rateLimitPerMinute: number | null;
  lastUsedAt: string | null;
  expired: boolean;
  quotaResetsAt: string;
}

/** An integration's callers (the tokens that may call it): calls this month against their quota, rate limit, last use. */
export function TokenCallers({ slug }: { slug: string }) {
  const callers = useQuery({
    queryKey: ['callers', slug],
    queryFn: () => fetchJson<{ callers: Caller[] }>(`/api/integrations/${encodeURIComponent(slug)}/callers`),
    refetchInterval: 15_000,
  });
  return (
    <section className="panel" style={{ marginBottom: 16 }} aria-label="Callers">
      <h2>Callers</h2>
      <DataTable
        label="Callers of this integration"
        columns={['Token', 'Calls this month', 'Monthly quota', 'Rate limit', 'Last use']}
        rows={callers.data?.callers}
        pending={callers.isPending}
        error={callers.error}
        empty="No token may call this integration."
      >
        {(c) => (
          <tr key={c.tokenId}>
            <td>
              {c.name} <span className="mono muted">{c.prefix}…</span>
              {c.expired && <span className="status-bad"> expired</span>}
            </td>
            <td>{c.callsThisMonth}</td>
            <td>
              {c.monthlyQuota === null
                ? 'none'
                : `${c.monthlyQuota} (${Math.max(0, c.monthlyQuota - c.callsThisMonth)} left, resets ${formatDay(c.quotaResetsAt)})`}
            </td>
            <td>{c.rateLimitPerMinute === null ? 'none' : `${c.rateLimitPerMinute}/min`}</td>
            <td>{c.lastUsedAt ? formatTime(c.lastUsedAt, true) : 'never'}</td>
          </tr>
        )}
      </DataTable>
    </section>
  );
}
