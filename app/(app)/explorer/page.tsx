import { Suspense } from 'react';
import { CallExplorer } from '@/components/features/calls/CallExplorer';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listIntegrations } from '@/lib/integrations';
import { roleAtLeast } from '@/lib/model';

export const metadata = { title: 'Explorer · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function ExplorerPage({ searchParams }: Props) {
  const access = await requireAccess((await searchParams).ws);
  const integrations = (await listIntegrations(getDb(), access.workspace.id)).map(({ slug, name }) => ({ slug, name }));
  return (
    <>
      <h1>Request explorer</h1>
      <Suspense>
        <CallExplorer integrations={integrations} canReplay={roleAtLeast(access.role ?? 'viewer', 'operator')} />
      </Suspense>
    </>
  );
}
