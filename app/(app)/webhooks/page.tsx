import { WebhookSources } from '@/components/features/webhooks/WebhookSources';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listIntegrations } from '@/lib/integrations';
import { roleAtLeast } from '@/lib/model';

export const metadata = { title: 'Webhooks · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function WebhooksPage({ searchParams }: Props) {
  const { workspace, role } = await requireAccess((await searchParams).ws);
  const integrations = (await listIntegrations(getDb(), workspace.id)).map(({ slug, name }) => ({ slug, name }));
  return <WebhookSources integrations={integrations} canEdit={!!role && roleAtLeast(role, 'editor')} />;
}
