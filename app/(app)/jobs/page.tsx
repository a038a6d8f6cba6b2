import Link from 'next/link';
import { JobEnqueueForm } from '@/components/features/jobs/JobEnqueueForm';
import { JobList } from '@/components/features/jobs/JobList';
import { QueueCharts } from '@/components/features/jobs/QueueCharts';
import { QueueStatsBar } from '@/components/features/jobs/QueueStats';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listIntegrations } from '@/lib/integrations';
import { roleAtLeast } from '@/lib/model';

export const metadata = { title: 'Jobs · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function JobsPage({ searchParams }: Props) {
  const { workspace, role } = await requireAccess((await searchParams).ws);
  const integrations = (await listIntegrations(getDb(), workspace.id)).map(({ slug, name }) => ({ slug, name }));
  return (
    <>
      <div className="page-head">
        <h1>Jobs</h1>
        <Link href="/dead-letters">Dead letters →</Link>
      </div>
      <p className="muted">
        Calls run in the background through the integration's resilient client, retried on a backoff schedule with the
        same idempotency key, and dead-lettered when their attempts run out.
      </p>
      <QueueStatsBar />
      <QueueCharts />
      <JobList integrations={integrations} />
      {!!role && roleAtLeast(role, 'operator') && <JobEnqueueForm integrations={integrations} />}
    </>
  );
}
