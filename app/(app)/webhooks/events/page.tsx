import Link from 'next/link';
import { Suspense } from 'react';
import { WebhookEventExplorer } from '@/components/features/webhooks/WebhookEventExplorer';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { roleAtLeast } from '@/lib/model';
import { listSources } from '@/lib/webhooks';

export const metadata = { title: 'Webhook events · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function WebhookEventsPage({ searchParams }: Props) {
  const { workspace, role } = await requireAccess((await searchParams).ws);
  const sources = (await listSources(getDb(), workspace.id)).map(({ slug, name }) => ({ slug, name }));
  return (
    <>
      <p>
        <Link href="/webhooks">← Webhooks</Link>
      </p>
      <h1>Webhook events</h1>
      <Suspense>
        <WebhookEventExplorer sources={sources} canReplay={!!role && roleAtLeast(role, 'operator')} />
      </Suspense>
    </>
  );
}
