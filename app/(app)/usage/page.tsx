import { UsageOverview } from '@/components/features/usage/UsageOverview';
import { requireAccess } from '@/lib/auth';

export const metadata = { title: 'Usage · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function UsagePage({ searchParams }: Props) {
  const access = await requireAccess((await searchParams).ws);
  return (
    <>
      <h1>Usage and cost</h1>
      <p className="muted">
        Billable attempts (retries, hedges and replays included) priced with each integration’s price in force on the
        day; set prices on an integration’s page.
      </p>
      <UsageOverview initialMonth={new Date().toISOString().slice(0, 7)} workspace={access.workspace.slug} />
    </>
  );
}
