import { Suspense } from 'react';
import { IssueList } from '@/components/features/calls/IssueList';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listIntegrations } from '@/lib/integrations';

export const metadata = { title: 'Issues · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

/** Failed calls grouped into issues, as Sentry groups events: one line per integration, route, outcome and cause. */
export default async function IssuesPage({ searchParams }: Props) {
  const access = await requireAccess((await searchParams).ws);
  const integrations = (await listIntegrations(getDb(), access.workspace.id)).map(({ slug, name }) => ({ slug, name }));
  return (
    <>
      <h1>Issues</h1>
      <p className="muted">Failed calls grouped by integration, route, outcome and cause; each links to its calls.</p>
      <Suspense>
        <IssueList integrations={integrations} />
      </Suspense>
    </>
  );
}
