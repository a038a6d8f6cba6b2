import { WebhookSources } from '@/components/features/webhooks/WebhookSources';
import { requireUser } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listIntegrations } from '@/lib/integrations';

export const metadata = { title: 'Webhooks · Breakwater' };

export default async function WebhooksPage() {
  await requireUser();
  const integrations = (await listIntegrations(getDb())).map(({ slug, name }) => ({ slug, name }));
  return <WebhookSources integrations={integrations} />;
}
