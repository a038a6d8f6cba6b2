import Link from 'next/link';
import { notFound } from 'next/navigation';
import { BreakerActions } from '@/components/features/integrations/BreakerActions';
import { EnvironmentSwitch } from '@/components/features/integrations/EnvironmentSwitch';
import { IntegrationDashboard } from '@/components/features/integrations/IntegrationDashboard';
import { SyncPanel } from '@/components/features/syncs/SyncPanel';
import { chartThresholds } from '@/lib/alerts';
import { requireUser } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { activeTarget, environmentSwitches, findIntegration } from '@/lib/integrations';
import { credentialUsage } from '@/lib/queries';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props) {
  return { title: `${(await params).slug} · Breakwater` };
}

export default async function IntegrationPage({ params }: Props) {
  await requireUser();
  const db = getDb();
  const integration = await findIntegration(db, (await params).slug);
  if (!integration) notFound();
  const target = activeTarget(integration);
  const [thresholds, usage, switches] = await Promise.all([
    chartThresholds(db, integration.slug),
    target.secondarySecretEnv ? credentialUsage(db, integration.id, target.authScheme !== 'none') : null,
    environmentSwitches(db, integration.id, 1),
  ]);
  const lastSwitch = switches[0];
  return (
    <>
      <div className="page-head">
        <h1>{integration.name}</h1>
        <span className="mono muted">{target.baseUrl}</span>
        <span className="spacer" />
        <Link href={`/explorer?integration=${integration.slug}`}>Calls in the explorer</Link>
        <Link href={`/settings/integrations/${integration.slug}/edit`}>Settings</Link>
      </div>
      <div className="panel" style={{ marginBottom: 16 }}>
        <BreakerActions slug={integration.slug} />
      </div>
      <div className="panel" style={{ marginBottom: 16 }}>
        <EnvironmentSwitch
          slug={integration.slug}
          active={integration.activeEnvironment}
          targets={{ production: integration.baseUrl, sandbox: integration.sandbox?.baseUrl }}
        />
        {lastSwitch && (
          <p className="muted" data-testid="last-environment-switch">
            Switched from {lastSwitch.fromEnvironment} to {lastSwitch.toEnvironment} by {lastSwitch.actor} at{' '}
            {lastSwitch.at.toISOString()}
          </p>
        )}
        {usage && (
          <p data-testid="credential-usage">
            Credentials (primary {target.secretEnv}, secondary {target.secondarySecretEnv}): served by primary:{' '}
            {usage.primary}, secondary: {usage.secondary} in the last 24 h;{' '}
            {usage.lastSecondaryAt
              ? `last secondary use at ${usage.lastSecondaryAt.toISOString()}`
              : 'the secondary was never used'}
          </p>
        )}
      </div>
      <SyncPanel integration={integration.slug} />
      <IntegrationDashboard slug={integration.slug} thresholds={thresholds} />
    </>
  );
}
