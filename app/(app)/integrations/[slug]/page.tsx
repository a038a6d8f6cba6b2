import Link from 'next/link';
import { notFound } from 'next/navigation';
import { BreakerActions } from '@/components/features/integrations/BreakerActions';
import { IntegrationDashboard } from '@/components/features/integrations/IntegrationDashboard';
import { SyncPanel } from '@/components/features/syncs/SyncPanel';
import { chartThresholds } from '@/lib/alerts';
import { requireUser } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { findIntegration } from '@/lib/integrations';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props) {
  return { title: `${(await params).slug} · Breakwater` };
}

export default async function IntegrationPage({ params }: Props) {
  await requireUser();
  const db = getDb();
  const integration = await findIntegration(db, (await params).slug);
  if (!integration) notFound();
  const thresholds = await chartThresholds(db, integration.workspaceId, integration.slug);
  return (
    <>
      <div className="page-head">
        <h1>{integration.name}</h1>
        <span className="mono muted">{integration.baseUrl}</span>
        <span className="spacer" />
        <Link href={`/explorer?integration=${integration.slug}`}>Calls in the explorer</Link>
        <Link href={`/settings/integrations/${integration.slug}/edit`}>Settings</Link>
      </div>
      <div className="panel" style={{ marginBottom: 16 }}>
        <BreakerActions slug={integration.slug} />
      </div>
      <SyncPanel integration={integration.slug} />
      <IntegrationDashboard slug={integration.slug} thresholds={thresholds} />
    </>
  );
}
