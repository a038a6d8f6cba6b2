'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { fetchJson } from '@/components/ui/api';
import { DataTable } from '@/components/ui/DataTable';
import { formatCount, formatMoney, formatPercent } from '@/components/ui/format';
import type { IntegrationUsage } from '@/lib/usage';

const money = (minor: number, currency: string | null) => (currency ? formatMoney(minor, currency) : '–');

/** Totals per currency: integrations priced in different currencies are never added together. */
function totals(rows: IntegrationUsage[], pick: (u: IntegrationUsage) => number): string {
  const byCurrency = new Map<string, number>();
  for (const u of rows) if (u.currency) byCurrency.set(u.currency, (byCurrency.get(u.currency) ?? 0) + pick(u));
  return [...byCurrency].map(([currency, minor]) => formatMoney(minor, currency)).join(' + ') || '–';
}

/** Every integration's cost this month (or a past month), the forecast to its end and the included quota's use. */
export function UsageOverview({ initialMonth, workspace }: { initialMonth: string; workspace: string }) {
  const [month, setMonth] = useState(initialMonth);
  const usage = useQuery({
    queryKey: ['usage', month],
    queryFn: () => fetchJson<{ integrations: IntegrationUsage[] }>(`/api/usage?month=${encodeURIComponent(month)}`),
    refetchInterval: 15_000,
  });
  const rows = usage.data?.integrations ?? [];
  return (
    <>
      <div className="toolbar">
        <label className="inline">
          Month
          <input type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} />
        </label>
        <a
          href={`/api/usage/export.csv?month=${encodeURIComponent(month)}&ws=${encodeURIComponent(workspace)}`}
          download
        >
          Export CSV (per caller, integration and day)
        </a>
      </div>
      <dl className="panel usage-totals" style={{ marginBottom: 16 }}>
        <div>
          <dt>Cost, month to date</dt>
          <dd data-testid="usage-total">{totals(rows, (u) => u.costMinor)}</dd>
        </div>
        <div>
          <dt>Forecast to month end</dt>
          <dd data-testid="usage-forecast">{totals(rows, (u) => u.forecastMinor)}</dd>
        </div>
        <div>
          <dt>Retries and hedges</dt>
          <dd>{totals(rows, (u) => u.retryCostMinor)}</dd>
        </div>
      </dl>
      <DataTable
        label="Usage and cost per integration"
        columns={[
          'Integration',
          'Attempts',
          'Cost',
          'Forecast',
          'Included quota',
          'Retries cost',
          'Saved by cache / breaker',
        ]}
        rows={usage.data?.integrations}
        pending={usage.isPending}
        error={usage.error}
        empty="No integrations yet."
      >
        {(u) => (
          <tr key={u.integrationId} data-testid={`usage-${u.slug}`}>
            <td>
              <Link href={`/integrations/${u.slug}`}>{u.name}</Link>
              {!u.currency && <span className="muted"> (no price set)</span>}
            </td>
            <td>{formatCount(u.attempts)}</td>
            <td data-testid="usage-cost">{money(u.costMinor, u.currency)}</td>
            <td data-testid="usage-forecast">{money(u.forecastMinor, u.currency)}</td>
            <td>
              {u.quota
                ? `${formatCount(u.quota.used)} of ${formatCount(u.quota.included)} (${formatPercent(u.quota.ratio)})`
                : 'none'}
            </td>
            <td>
              {money(u.retryCostMinor, u.currency)} ({formatPercent(u.retryShare)})
            </td>
            <td>
              {money(u.saved.cachedMinor, u.currency)} / {money(u.saved.shortCircuitedMinor, u.currency)}
            </td>
          </tr>
        )}
      </DataTable>
    </>
  );
}
