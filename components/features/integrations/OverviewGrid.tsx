'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fetchJson, type Wire } from '@/components/ui/api';
import { formatTime } from '@/components/ui/format';
import { DEFAULT_OVERVIEW_WINDOW, type Health, OVERVIEW_WINDOWS, type OverviewWindow } from '@/lib/model';
import type { OverviewTile } from '@/lib/queries';
import { IntegrationTile, type TileCost } from './IntegrationTile';

export interface Overview {
  window: OverviewWindow;
  since: string;
  /** when the server computed it (initial data only) */
  renderedAt?: string;
  integrations: Wire<OverviewTile>[];
  /** cost this month by integration id (lib/usage), for those with a price */
  costs?: Record<string, TileCost>;
}

const SKELETONS = ['s1', 's2', 's3', 's4', 's5', 's6'];

const HEALTH_FILTERS: { value: Health | 'all'; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'bad', label: 'Failing' },
  { value: 'warn', label: 'Degraded' },
  { value: 'ok', label: 'Healthy' },
  { value: 'idle', label: 'Idle' },
];

function matches(tile: Wire<OverviewTile>, search: string, health: Health | 'all'): boolean {
  if (health !== 'all' && tile.health !== health) return false;
  const needle = search.trim().toLowerCase();
  return !needle || `${tile.name} ${tile.slug} ${tile.baseUrl}`.toLowerCase().includes(needle);
}

/** `initial` is the default window's data rendered on the server, so the first paint is the full overview. */
export function OverviewGrid({ initial }: { initial?: Overview }) {
  const [window, setWindow] = useState<OverviewWindow>(DEFAULT_OVERVIEW_WINDOW);
  const [search, setSearch] = useState('');
  const [health, setHealth] = useState<Health | 'all'>('all');
  const overview = useQuery({
    queryKey: ['overview', window],
    queryFn: () => fetchJson<Overview>(`/api/overview?window=${window}`),
    initialData: initial?.window === window ? initial : undefined,
    initialDataUpdatedAt: initial?.renderedAt ? Date.parse(initial.renderedAt) : undefined,
    refetchInterval: 5000,
    // Fresh until the next tick, so the server-rendered data is not fetched again as soon as it hydrates.
    staleTime: 5000,
    // Switching the window keeps the old tiles on screen until the new ones arrive: no flash of empty.
    placeholderData: keepPreviousData,
  });
  const tiles = overview.data?.integrations.filter((t) => matches(t, search, health));
  return (
    <>
      <search className="toolbar">
        <label className="inline">
          <span className="sr-only">Filter integrations</span>
          <input
            type="search"
            placeholder="Filter by name, slug or URL"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label className="inline">
          Health
          <select value={health} onChange={(e) => setHealth(e.target.value as Health | 'all')}>
            {HEALTH_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          Window
          <select value={window} onChange={(e) => setWindow(e.target.value as OverviewWindow)}>
            {OVERVIEW_WINDOWS.map((w) => (
              <option key={w} value={w}>
                Last {w}
              </option>
            ))}
          </select>
        </label>
        {/* The server's clock zone may differ from the browser's: this text may change on hydration. */}
        <span className="live muted" aria-live="off" suppressHydrationWarning>
          {overview.isError && overview.data ? (
            <span className="status-warn">Refresh failed; showing {formatTime(overview.dataUpdatedAt)}</span>
          ) : overview.dataUpdatedAt ? (
            <>
              <span className={`pulse${overview.isFetching ? ' on' : ''}`} aria-hidden="true" />
              Live · {formatTime(overview.dataUpdatedAt)}
            </>
          ) : null}
        </span>
      </search>
      {overview.isPending ? (
        <div className="tiles" aria-busy="true">
          <span className="sr-only">Loading integrations…</span>
          {SKELETONS.map((key) => (
            <div key={key} className="tile skeleton" />
          ))}
        </div>
      ) : overview.isError && !overview.data ? (
        <p className="alert" role="alert">
          Could not load integrations: {overview.error.message}
        </p>
      ) : overview.data?.integrations.length === 0 ? (
        <div className="panel empty">
          <p>No integrations yet.</p>
          <p className="muted">
            <a href="/settings/integrations/new">Create one</a>, or run <code>npm run demo</code> to load the demo
            scenario.
          </p>
        </div>
      ) : tiles?.length === 0 ? (
        <p className="panel muted">No integration matches this filter.</p>
      ) : (
        <section className="tiles" aria-label={`Integrations, last ${window}`}>
          {tiles?.map((tile) => (
            <IntegrationTile key={tile.id} tile={tile} windowLabel={window} cost={overview.data?.costs?.[tile.id]} />
          ))}
        </section>
      )}
    </>
  );
}
