import type { Db } from '@/lib/db';
import { errorsIn } from '@/lib/model';
import { type Aggregate, addAggregate, emptyAggregate, readAggregates, resolutionFor } from './rollups';

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
 * Every integration with its traffic since `since`, read back from the stored rollups (all instances).
 * Windows over 6 h read hourly rollups from the top of `since`'s hour (so a 24 h window covers 24 to 25 h);
 * shorter ones read minute rollups. Rollups are written at both widths, so only one is ever read.
 */
export async function integrationSummaries(db: Db, since: Date): Promise<IntegrationSummary[]> {
  const to = new Date();
  const resolution = resolutionFor(to.getTime() - since.getTime());
  const [integrations, buckets] = await Promise.all([
    db.integration.findMany({ select: { id: true, slug: true, name: true, baseUrl: true }, orderBy: { name: 'asc' } }),
    readAggregates(db, { from: since, to }, resolution),
  ]);
  const byIntegration = new Map<string, Aggregate>();
  for (const b of buckets) {
    let acc = byIntegration.get(b.integrationId);
    if (!acc) {
      acc = emptyAggregate();
      byIntegration.set(b.integrationId, acc);
    }
    addAggregate(acc, b.aggregate);
  }
  return integrations.map((integration) => {
    const acc = byIntegration.get(integration.id);
    const requests = acc?.requests ?? 0;
    const errors = acc ? errorsIn(acc.byOutcome) : 0;
    return {
      ...integration,
      requests,
      errors,
      errorRate: requests ? errors / requests : null,
      p50Ms: acc?.histogram.quantile(0.5) ?? null,
      p95Ms: acc?.histogram.quantile(0.95) ?? null,
      p99Ms: acc?.histogram.quantile(0.99) ?? null,
    };
  });
}
