import { ChannelManager } from '@/components/features/alerts/ChannelManager';
import { requireUser } from '@/lib/auth';

export const metadata = { title: 'Alert channels · Breakwater' };

export default async function ChannelsPage() {
  await requireUser();
  return (
    <>
      <h1>Notification channels</h1>
      <p className="muted">
        Secrets are never stored: a channel names the server environment variable holding a webhook's{' '}
        <code>whsec_</code> signing secret, or a Slack incoming-webhook URL. Every channel receives every rule's firing
        and resolved messages; all of them also appear in the in-app list.
      </p>
      <ChannelManager />
    </>
  );
}
