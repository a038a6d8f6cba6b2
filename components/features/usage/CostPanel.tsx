'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/components/ui/api';
import { DataTable } from '@/components/ui/DataTable';
import { formatCount, formatMoney, formatPercent } from '@/components/ui/format';
import type { CostLine, IntegrationUsage } from '@/lib/usage';

function Lines({ title, lines, currency }: { title: string; lines: CostLine[]; currency: string }) {
  return (
    <div>
      <h3>{title}</h3>
      <DataTable
        label={`Cost by ${title.toLowerCase()}`}
        columns={[title, 'Attempts', 'Cost']}
        rows={lines}
        empty="Nothing yet."
      >
        {(line) => (
          <tr key={line.key}>
            <td className="mono">{line.label}</td>
            <td>{formatCount(line.attempts)}</td>
            <td>{formatMoney(line.costMinor, currency)}</td>
          </tr>
        )}
      </DataTable>
    </div>
  );
}

/** The integration's cost this month: totals, what retries cost, what the cache and breaker saved, breakdowns. */
export function CostPanel({ slug }: { slug: string }) {
  const usage = useQuery({
    queryKey: ['usage', 'integration', slug],
    queryFn: () => fetchJson<{ usage: IntegrationUsage }>(`/api/integrations/${encodeURIComponent(slug)}/usage`),
    refetchInterval: 15_000,
  });
  const u = usage.data?.usage;
  return (
    <section className="panel" style={{ marginBottom: 16 }} aria-label="Cost this month">
      <h2>Cost this month</h2>
      {usage.isError && <p className="alert">Could not load the cost: {usage.error.message}</p>}
      {u && !u.currency && <p className="muted">No price set: set one below to see what this integration costs.</p>}
      {u?.currency && (
        <>
          <p data-testid="cost-summary">
            <strong data-testid="integration-cost">{formatMoney(u.costMinor, u.currency)}</strong> so far (
            {formatCount(u.billable)} billable attempts), forecast{' '}
            <strong>{formatMoney(u.forecastMinor, u.currency)}</strong> by the month’s end.{' '}
            {u.quota &&
              `Included quota: ${formatCount(u.quota.used)} of ${formatCount(u.quota.included)} used (${formatPercent(u.quota.ratio)}). `}
            <span data-testid="retry-share">
              Retries and hedges cost you {formatPercent(u.retryShare)} ({formatMoney(u.retryCostMinor, u.currency)}).
            </span>
          </p>
          <p className="muted">
            The cache saved {formatCount(u.saved.cachedCalls)} calls ({formatMoney(u.saved.cachedMinor, u.currency)});
            the breaker, bulkhead and limiter kept {formatCount(u.saved.shortCircuitedCalls)} calls from the upstream (
            {formatMoney(u.saved.shortCircuitedMinor, u.currency)}).
          </p>
          <div className="usage-lines">
            <Lines title="Route" lines={u.byRoute} currency={u.currency} />
            <Lines title="Outcome" lines={u.byOutcome} currency={u.currency} />
            <Lines title="Caller" lines={u.byCaller} currency={u.currency} />
          </div>
        </>
      )}
    </section>
  );
}
