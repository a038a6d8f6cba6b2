'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { fetchJson } from '@/components/ui/api';
import { SyncList } from './SyncList';
import type { SyncWire } from './SyncStatus';

/**
 * The integration page's view of the syncs that poll it: last run, lag and error. Without any it shrinks
 * to one line, so an empty panel does not push the charts down. The list shares its query (same key).
 */
export function SyncPanel({ integration }: { integration: string }) {
  const syncs = useQuery({
    queryKey: ['syncs', integration],
    queryFn: () => fetchJson<{ syncs: SyncWire[] }>(`/api/syncs?integration=${encodeURIComponent(integration)}`),
    // The list refreshes every 3 s while shown; collapsed, a sync added elsewhere still appears.
    refetchInterval: 15_000,
  });
  if (syncs.data?.syncs.length === 0)
    return (
      <p className="muted" style={{ marginBottom: 16 }}>
        No sync polls this integration. <Link href="/syncs">All syncs</Link>
      </p>
    );
  return (
    <section className="panel" aria-label="Syncs" style={{ marginBottom: 16 }}>
      <div className="page-head">
        <h2>Syncs</h2>
        <span className="spacer" />
        <Link href="/syncs">All syncs</Link>
      </div>
      <SyncList integration={integration} />
    </section>
  );
}
