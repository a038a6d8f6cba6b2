import { Suspense } from 'react';
import { CallExplorer } from '@/components/features/calls/CallExplorer';
import { requireUser } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listIntegrations } from '@/lib/integrations';

export const metadata = { title: 'Explorer · Breakwater' };

export default async function ExplorerPage() {
  await requireUser();
  const integrations = (await listIntegrations(getDb())).map(({ slug, name }) => ({ slug, name }));
  return (
    <>
      <h1>Request explorer</h1>
      <Suspense>
        <CallExplorer integrations={integrations} />
      </Suspense>
    </>
  );
}
