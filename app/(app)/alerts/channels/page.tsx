import { ChannelManager } from '@/components/features/alerts/ChannelManager';
import { requireAccess } from '@/lib/auth';
import { roleAtLeast } from '@/lib/model';

export const metadata = { title: 'Alert channels · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function ChannelsPage({ searchParams }: Props) {
  const { role } = await requireAccess((await searchParams).ws);
  return (
    <>
      <h1>Notification channels</h1>
      <p className="muted">
        Secrets are never stored: a channel names the server environment variable holding a webhook's{' '}
        <code>whsec_</code> signing secret, or a Slack incoming-webhook URL. Every channel of the workspace receives
        every one of its rules' firing and resolved messages; all of them also appear in the in-app list.
      </p>
      <ChannelManager canEdit={!!role && roleAtLeast(role, 'editor')} />
    </>
  );
}
