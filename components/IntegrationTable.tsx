'use client';

import { useQuery } from '@tanstack/react-query';
import { formatMs, formatPercent, health } from './format';

/** The shape of GET /api/overview (lib/queries IntegrationSummary, as JSON). */
interface IntegrationSummary {
  id: string;
  slug: string;
  name: string;
  baseUrl: string;
  requests: number;
  errors: number;
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

interface Overview {
  window: string;
  integrations: IntegrationSummary[];
}

async function fetchOverview(): Promise<Overview> {
  const response = await fetch('/api/overview?window=24h');
  if (!response.ok) throw new Error((await response.json().catch(() => null))?.error ?? `HTTP ${response.status}`);
  return response.json();
}

export function IntegrationTable() {
  const { data, error, isPending } = useQuery({
    queryKey: ['overview', '24h'],
    queryFn: fetchOverview,
    refetchInterval: 5000,
  });
  if (isPending)
    return (
      <p className="muted" aria-busy="true">
        Loading integrations…
      </p>
    );
  if (error)
    return (
      <p className="alert" role="alert">
        Could not load integrations: {error.message}
      </p>
    );
  if (data.integrations.length === 0) {
    return <p className="panel muted">No integrations yet. Create one with POST /api/integrations, or run the demo.</p>;
  }
  return (
    <div className="panel table-wrap">
      <table aria-label="Integrations, last 24 hours">
        <thead>
          <tr>
            <th>Integration</th>
            <th>Base URL</th>
            <th className="num">Requests (24 h)</th>
            <th className="num">Error rate</th>
            <th className="num">p95</th>
          </tr>
        </thead>
        <tbody>
          {data.integrations.map((i) => (
            <tr key={i.id} data-testid={`integration-${i.slug}`}>
              <td>
                <span className={`dot ${health(i.errorRate)}`} aria-hidden="true" />
                {i.name} <span className="muted mono">{i.slug}</span>
              </td>
              <td className="mono muted">{i.baseUrl}</td>
              <td className="num" data-testid="requests">
                {i.requests}
              </td>
              <td className="num" data-testid="error-rate">
                {formatPercent(i.errorRate)}
              </td>
              <td className="num" data-testid="p95">
                {formatMs(i.p95Ms)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
