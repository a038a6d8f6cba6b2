import Link from 'next/link';
import { Suspense } from 'react';
import { WebhookEventExplorer } from '@/components/features/webhooks/WebhookEventExplorer';
import { requireUser } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listSources } from '@/lib/webhooks';

export const metadata = { title: 'Webhook events · Breakwater' };

export default async function WebhookEventsPage() {
  await requireUser();
  const sources = (await listSources(getDb())).map(({ slug, name }) => ({ slug, name }));
  return (
    <>
      <p>
        <Link href="/webhooks">← Webhooks</Link>
      </p>
      <h1>Webhook events</h1>
      <Suspense>
        <WebhookEventExplorer sources={sources} />
      </Suspense>
    </>
  );
}
