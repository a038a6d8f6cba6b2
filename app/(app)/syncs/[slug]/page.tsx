import Link from 'next/link';
import { notFound } from 'next/navigation';
import { SyncDetail } from '@/components/features/syncs/SyncDetail';
import { SyncForm } from '@/components/features/syncs/SyncForm';
import type { SyncWire } from '@/components/features/syncs/SyncStatus';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listIntegrations } from '@/lib/integrations';
import { roleAtLeast } from '@/lib/model';
import { findSync, syncView } from '@/lib/syncs';
import { syncFormDefaults } from '../defaults';

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<{ ws?: string | string[] }> };

export async function generateMetadata({ params }: Props) {
  return { title: `${(await params).slug} · Syncs · Breakwater` };
}

export default async function SyncPage({ params, searchParams }: Props) {
  const { workspace, role } = await requireAccess((await searchParams).ws);
  const db = getDb();
  const row = await findSync(db, workspace.id, (await params).slug);
  if (!row) notFound();
  const sync = JSON.parse(JSON.stringify(syncView(row))) as SyncWire;
  const integrations = (await listIntegrations(db, workspace.id)).map((integration) => integration.slug);
  return (
    <>
      <p>
        <Link href="/syncs">← Syncs</Link>
      </p>
      <div className="page-head">
        <h1>{sync.slug}</h1>
        <span className="spacer" />
        <Link href={`/integrations/${sync.integration}`}>{sync.integration} dashboard</Link>
      </div>
      <SyncDetail slug={sync.slug} canRun={!!role && roleAtLeast(role, 'operator')} />
      {!!role && roleAtLeast(role, 'editor') && (
        <>
          <h2>Settings</h2>
          <SyncForm key={sync.slug} integrations={integrations} defaults={syncFormDefaults} sync={sync} />
        </>
      )}
    </>
  );
}
