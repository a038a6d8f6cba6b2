import Link from 'next/link';
import { DeadLetterList } from '@/components/features/jobs/DeadLetterList';
import { QueueCharts } from '@/components/features/jobs/QueueCharts';
import { QueueStatsBar } from '@/components/features/jobs/QueueStats';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listIntegrations } from '@/lib/integrations';
import { roleAtLeast } from '@/lib/model';

export const metadata = { title: 'Dead letters · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function DeadLettersPage({ searchParams }: Props) {
  const { workspace, role } = await requireAccess((await searchParams).ws);
  const integrations = (await listIntegrations(getDb(), workspace.id)).map(({ slug, name }) => ({ slug, name }));
  return (
    <>
      <div className="page-head">
        <h1>Dead letters</h1>
        <Link href="/jobs">Jobs →</Link>
      </div>
      <p className="muted">
        Jobs whose attempts ran out, or that the upstream refused for good. A replay puts one back in the queue with
        fresh attempts and its original idempotency key, so work that may have happened is not done twice.
      </p>
      <QueueStatsBar />
      <DeadLetterList integrations={integrations} canAct={!!role && roleAtLeast(role, 'operator')} />
      <QueueCharts />
    </>
  );
}
