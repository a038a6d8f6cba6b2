import Link from 'next/link';
import { notFound } from 'next/navigation';
import { TokenCallers } from '@/components/features/auth/TokenCallers';
import { BreakerActions } from '@/components/features/integrations/BreakerActions';
import { IntegrationDashboard } from '@/components/features/integrations/IntegrationDashboard';
import { SyncPanel } from '@/components/features/syncs/SyncPanel';
import { chartThresholds } from '@/lib/alerts';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { findIntegration } from '@/lib/integrations';
import { roleAtLeast } from '@/lib/model';

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<{ ws?: string | string[] }> };

export async function generateMetadata({ params }: Props) {
  return { title: `${(await params).slug} · Breakwater` };
}

export default async function IntegrationPage({ params, searchParams }: Props) {
  const access = await requireAccess((await searchParams).ws);
  const db = getDb();
  const integration = await findIntegration(db, access.workspace.id, (await params).slug);
  if (!integration) notFound();
  const role = access.role ?? 'viewer';
  const thresholds = await chartThresholds(db, integration.slug);
  return (
    <>
      <div className="page-head">
        <h1>{integration.name}</h1>
        <span className="mono muted">{integration.baseUrl}</span>
        <span className="spacer" />
        <Link href={`/explorer?integration=${integration.slug}`}>Calls in the explorer</Link>
        {roleAtLeast(role, 'editor') && <Link href={`/settings/integrations/${integration.slug}/edit`}>Settings</Link>}
      </div>
      {roleAtLeast(role, 'operator') && (
        <div className="panel" style={{ marginBottom: 16 }}>
          <BreakerActions slug={integration.slug} />
        </div>
      )}
      <SyncPanel integration={integration.slug} />
      <TokenCallers slug={integration.slug} />
      <IntegrationDashboard slug={integration.slug} thresholds={thresholds} />
    </>
  );
}
