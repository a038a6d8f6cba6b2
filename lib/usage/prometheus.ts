import type { Db } from '@/lib/db';
import { prometheusFamily } from '@/lib/telemetry';
import { usageReport } from './service';

/**
 * The workspace's cost this month as a Prometheus counter in minor units, per integration, caller and currency:
 * the figures of the usage API (read from the database, so every instance shows the cluster's total; it
 * resets at the start of each UTC month, which rate() and increase() treat as a counter reset).
 */
export async function usageMetricsText(db: Db, workspace: { id: string; slug: string }, now: Date): Promise<string> {
  const samples: [Record<string, string>, number][] = [];
  for (const usage of await usageReport(db, workspace.id, now)) {
    if (!usage.currency) continue;
    for (const line of usage.byCaller)
      samples.push([
        { workspace: workspace.slug, integration: usage.slug, caller: line.key, currency: usage.currency },
        line.costMinor,
      ]);
  }
  return prometheusFamily(
    'breakwater_usage_cost_minor_total',
    'counter',
    'Cost this UTC month in minor units of the currency (cents), by integration and caller, from the usage rollups.',
    samples,
  );
}
