'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { listState } from '@/components/filters/ListParts';
import { fetchJson, type Wire } from '@/components/ui/api';
import { formatCount, formatMs, formatPercent } from '@/components/ui/format';
import { WINDOW_MS, type WindowName } from '@/lib/model';
import type { RouteRow } from '@/lib/queries';

const WINDOWS: WindowName[] = ['15m', '1h', '6h', '24h', '7d'];

/** The explorer over one route of the integration and the table's range. */
function explorerHref(slug: string, route: string, from: number, to: number): string {
  const query = new URLSearchParams({
    integration: slug,
    route,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
  return `/explorer?${query}`;
}

/**
 * The integration's calls per route (from rollups, so counts are exact): what callers saw next to what the
 * upstream did, busiest route first; each row opens the explorer on that route over the same range.
 */
export function RouteTable({ slug }: { slug: string }) {
  const [span, setSpan] = useState<WindowName>('1h');
  const routes = useQuery({
    queryKey: ['routes', slug, span],
    queryFn: async () => {
      const to = Date.now();
      const from = to - WINDOW_MS[span];
      const query = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
      const body = await fetchJson<{ routes: Wire<RouteRow>[] }>(
        `/api/integrations/${encodeURIComponent(slug)}/routes?${query}`,
      );
      return { ...body, from, to };
    },
  });
  const rows = routes.data?.routes ?? [];
  return (
    <section className="panel" aria-labelledby="routes-title" style={{ marginBottom: 16 }}>
      <div className="row">
        <h2 id="routes-title">Routes</h2>
        <span className="spacer" />
        {/* A select, not the charts' range buttons: one page, one set of "1h" buttons. */}
        <label className="inline">
          Over the last
          <select value={span} onChange={(event) => setSpan(event.target.value as WindowName)}>
            {WINDOWS.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
      </div>
      {listState(routes, rows.length, {
        noun: 'route',
        height: 120,
        empty: 'No call in the range.',
      }) ?? (
        <div className="table-wrap">
          <table aria-label="Routes">
            <thead>
              <tr>
                <th>Route</th>
                <th className="num">Calls</th>
                <th className="num" title="Calls that failed as callers saw them">
                  Caller errors
                </th>
                <th
                  className="num"
                  title="Attempts sent to the upstream that failed there (5xx, 429, timeout, network); cache hits and short-circuits send none"
                >
                  Upstream errors
                </th>
                <th className="num" title="p95 of the attempts sent to the upstream">
                  Upstream p95
                </th>
                <th className="num">Retries / call</th>
                <th className="num" title="Refused before the upstream: open breaker, rate limiter, full bulkhead">
                  Rejections
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.route}>
                  <td className="mono">
                    <Link href={explorerHref(slug, r.route, routes.data!.from, routes.data!.to)}>{r.route}</Link>
                  </td>
                  <td className="num">{formatCount(r.calls)}</td>
                  <td className="num">{formatPercent(r.callerErrorRate)}</td>
                  <td className="num">{formatPercent(r.upstreamErrorRate)}</td>
                  <td className="num">{formatMs(r.upstreamP95Ms)}</td>
                  <td className="num">{r.retriesPerCall === null ? '–' : r.retriesPerCall.toFixed(2)}</td>
                  <td className="num">{formatCount(r.rejections)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
