import type { Db } from '@/lib/db';
import { usageReport } from './service';

/** Month-to-date cost by integration id, for the overview tiles: only integrations with a price. */
export async function monthToDateCosts(
  db: Db,
  workspaceId: string,
  now: Date,
): Promise<Record<string, { costMinor: number; currency: string }>> {
  const report = await usageReport(db, workspaceId, now);
  return Object.fromEntries(
    report.flatMap((u) => (u.currency ? [[u.integrationId, { costMinor: u.costMinor, currency: u.currency }]] : [])),
  );
}
