import { type Overview, OverviewGrid } from '@/components/features/integrations/OverviewGrid';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { DEFAULT_OVERVIEW_WINDOW, WINDOW_MS } from '@/lib/model';
import { overviewTiles } from '@/lib/queries';
import { announcedRateLimits } from '@/lib/telemetry';
import { monthToDateCosts } from '@/lib/usage';

export const metadata = { title: 'Overview · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function OverviewPage({ searchParams }: Props) {
  const access = await requireAccess((await searchParams).ws);
  const now = Date.now();
  const since = new Date(now - WINDOW_MS[DEFAULT_OVERVIEW_WINDOW]);
  // Rendered with the page so the overview is complete at first paint; the client then refreshes it.
  const initial: Overview = {
    window: DEFAULT_OVERVIEW_WINDOW,
    since: since.toISOString(),
    renderedAt: new Date(now).toISOString(),
    integrations: await overviewTiles(
      getDb(),
      access.workspace.id,
      since,
      undefined,
      announcedRateLimits(access.workspace.slug),
    ),
    costs: await monthToDateCosts(getDb(), access.workspace.id, new Date(now)),
  };
  return (
    <>
      <h1>Integrations</h1>
      <OverviewGrid initial={initial} />
    </>
  );
}
