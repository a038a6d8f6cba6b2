import { WebhookSources } from '@/components/WebhookSources';
import { getDb } from '@/lib/db';
import { listIntegrations } from '@/lib/integrations';

export const metadata = { title: 'Webhooks · Breakwater' };

export default async function WebhooksPage() {
  const integrations = (await listIntegrations(getDb())).map(({ slug, name }) => ({ slug, name }));
  return <WebhookSources integrations={integrations} />;
}
