import type { Db } from '@/lib/db';
import { usageCounts } from '@/lib/queries';
import { minorDigits, monthOf } from './cost';
import { type IntegrationUsage, integrationUsage } from './report';
import { usageReport, versionsByIntegration } from './service';

const HOUR_MS = 3_600_000;

/** What budget alerts read of an integration's month: amounts in its currency's major unit. */
export interface BudgetValues {
  costMonthToDate: number;
  costForecastMonth: number;
  quotaUsedRatio: number | null;
}

export function budgetValuesOf(usage: IntegrationUsage): BudgetValues | undefined {
  if (!usage.currency) return undefined;
  const unit = 10 ** minorDigits(usage.currency);
  return {
    costMonthToDate: usage.costMinor / unit,
    costForecastMonth: usage.forecastMinor / unit,
    quotaUsedRatio: usage.quota?.ratio ?? null,
  };
}

/** Every priced integration's budget values at `now` (all workspaces: the alert runner), by integration id. */
export async function budgetValues(db: Db, now: Date): Promise<Map<string, BudgetValues>> {
  const values = new Map<string, BudgetValues>();
  for (const usage of await usageReport(db, null, now)) {
    const v = budgetValuesOf(usage);
    if (v) values.set(usage.integrationId, v);
  }
  return values;
}

/**
 * An integration's budget values at each of `points` (a rule preview), from one read: each point sees the
 * counts of its month up to its hour (rollups are hourly, so points within an hour share a value).
 */
export async function budgetSeries(
  db: Db,
  workspaceId: string,
  integrationId: string,
  points: Date[],
): Promise<(BudgetValues | undefined)[]> {
  if (points.length === 0) return [];
  const from = monthOf(points[0]!).start;
  const to = points.at(-1)!;
  const integration = await db.integration.findFirst({
    where: { id: integrationId, workspaceId },
    select: { id: true, slug: true, name: true },
  });
  if (!integration) return points.map(() => undefined);
  const counts = await usageCounts(db, workspaceId, from, new Date(to.getTime() + 1), integrationId);
  const versions = (await versionsByIntegration(db, workspaceId)).get(integrationId) ?? [];
  const byHour = new Map<number, BudgetValues | undefined>();
  return points.map((at) => {
    const hour = Math.floor(at.getTime() / HOUR_MS) * HOUR_MS;
    if (!byHour.has(hour)) {
      const month = monthOf(at);
      const rows = counts.filter(
        (c) => c.bucketStart.getTime() >= month.start.getTime() && c.bucketStart.getTime() <= hour,
      );
      byHour.set(hour, budgetValuesOf(integrationUsage(integration, rows, versions, at)));
    }
    return byHour.get(hour);
  });
}
