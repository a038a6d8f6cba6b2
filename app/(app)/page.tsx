import { type Overview, OverviewGrid } from '@/components/features/integrations/OverviewGrid';
import { requireUser } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { overviewTiles } from '@/lib/queries';

export const metadata = { title: 'Overview · Breakwater' };

const DEFAULT_WINDOW_MS = 3_600_000;

export default async function OverviewPage() {
  await requireUser();
  const now = Date.now();
  const since = new Date(now - DEFAULT_WINDOW_MS);
  // Rendered with the page so the overview is complete at first paint; the client then refreshes it.
  const initial: Overview = {
    window: '1h',
    since: since.toISOString(),
    renderedAt: new Date(now).toISOString(),
    integrations: await overviewTiles(getDb(), since),
  };
  return (
    <>
      <h1>Integrations</h1>
      <OverviewGrid initial={initial} />
    </>
  );
}
