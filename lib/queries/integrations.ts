import { type Db, LatencyHistogram } from '@/lib/db';
import { readRollups } from './rollups';

/** Outcomes that count as the upstream (or the path to it) failing. 4xx answers are the caller's concern. */
export const ERROR_OUTCOMES = [
  'server_error',
  'timeout',
  'network',
  'circuit_open',
  'rate_limited',
  'bulkhead_rejected',
];

export interface IntegrationSummary {
  id: string;
  slug: string;
  name: string;
  baseUrl: string;
  requests: number;
  errors: number;
  /** errors / requests, 0..1; null without traffic */
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/**
 * Every integration with its traffic since `since`, read back from the stored rollups (all instances):
 * hourly rows for whole hours and minute rows for the partial first hour, so a day costs ~24 rows per
 * series. Rollups are written at both widths, so reading both for one period would count twice.
 */
export async function integrationSummaries(db: Db, since: Date): Promise<IntegrationSummary[]> {
  const [integrations, rollups] = await Promise.all([
    db.integration.findMany({ select: { id: true, slug: true, name: true, baseUrl: true }, orderBy: { name: 'asc' } }),
    readRollups(db, { from: since, to: new Date() }, true),
  ]);
  const byIntegration = new Map<string, { requests: number; errors: number; histogram: LatencyHistogram }>();
  for (const r of rollups) {
    let acc = byIntegration.get(r.integrationId);
    if (!acc) {
      acc = { requests: 0, errors: 0, histogram: new LatencyHistogram() };
      byIntegration.set(r.integrationId, acc);
    }
    acc.requests += r.count;
    if (ERROR_OUTCOMES.includes(r.outcomeClass)) acc.errors += r.count;
    acc.histogram.merge(JSON.parse(r.latencyHist));
  }
  return integrations.map((integration) => {
    const acc = byIntegration.get(integration.id);
    const requests = acc?.requests ?? 0;
    return {
      ...integration,
      requests,
      errors: acc?.errors ?? 0,
      errorRate: requests ? acc!.errors / requests : null,
      p50Ms: acc?.histogram.quantile(0.5) ?? null,
      p95Ms: acc?.histogram.quantile(0.95) ?? null,
      p99Ms: acc?.histogram.quantile(0.99) ?? null,
    };
  });
}
