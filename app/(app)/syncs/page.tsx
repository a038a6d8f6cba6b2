import { SyncForm } from '@/components/features/syncs/SyncForm';
import { SyncList } from '@/components/features/syncs/SyncList';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listIntegrations } from '@/lib/integrations';
import { roleAtLeast } from '@/lib/model';
import { syncFormDefaults } from './defaults';

export const metadata = { title: 'Syncs · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function SyncsPage({ searchParams }: Props) {
  const { workspace, role } = await requireAccess((await searchParams).ws);
  const integrations = (await listIntegrations(getDb(), workspace.id)).map((integration) => integration.slug);
  return (
    <>
      <h1>Syncs</h1>
      <p className="muted">
        A sync polls an integration’s feed on a schedule, page by page from its stored checkpoint, through the
        integration’s resilient client, and delivers the items to stored events or a signed webhook. A restart resumes
        from the checkpoint: no item is skipped or stored twice.
      </p>
      <section className="panel">
        <SyncList />
      </section>
      {!!role && roleAtLeast(role, 'editor') && (
        <>
          <h2>New sync</h2>
          {integrations.length === 0 ? (
            <p className="muted">Create an integration first: a sync polls one.</p>
          ) : (
            <SyncForm integrations={integrations} defaults={syncFormDefaults} />
          )}
        </>
      )}
    </>
  );
}
