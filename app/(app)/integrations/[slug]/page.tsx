import Link from 'next/link';
import { notFound } from 'next/navigation';
import { TokenCallers } from '@/components/features/auth/TokenCallers';
import { BreakerActions } from '@/components/features/integrations/BreakerActions';
import { EnvironmentSwitch } from '@/components/features/integrations/EnvironmentSwitch';
import { IntegrationDashboard } from '@/components/features/integrations/IntegrationDashboard';
import { KpiStrip } from '@/components/features/integrations/KpiStrip';
import { RouteTable } from '@/components/features/integrations/RouteTable';
import { SyncPanel } from '@/components/features/syncs/SyncPanel';
import { CostPanel } from '@/components/features/usage/CostPanel';
import { PriceForm } from '@/components/features/usage/PriceForm';
import { formatTime } from '@/components/ui/format';
import { chartThresholds } from '@/lib/alerts';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { activeTarget, environmentSwitches, findIntegration } from '@/lib/integrations';
import { roleAtLeast } from '@/lib/model';
import { credentialUsage } from '@/lib/queries';

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<{ ws?: string | string[] }> };

export async function generateMetadata({ params }: Props) {
  return { title: `${(await params).slug} · Breakwater` };
}

export default async function IntegrationPage({ params, searchParams }: Props) {
  const access = await requireAccess((await searchParams).ws);
  const db = getDb();
  const integration = await findIntegration(db, access.workspace.id, (await params).slug);
  if (!integration) notFound();
  const role = access.role ?? 'viewer';
  const target = activeTarget(integration);
  const [thresholds, usage, switches] = await Promise.all([
    chartThresholds(db, integration.workspaceId, integration.slug),
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
        {roleAtLeast(role, 'editor') && <Link href={`/settings/integrations/${integration.slug}/edit`}>Settings</Link>}
      </div>
      <KpiStrip slug={integration.slug} />
      <div className="panel" style={{ marginBottom: 16 }}>
        {roleAtLeast(role, 'editor') ? (
          <EnvironmentSwitch
            slug={integration.slug}
            active={integration.activeEnvironment}
            targets={{ production: integration.baseUrl, sandbox: integration.sandbox?.baseUrl }}
          />
        ) : (
          <p data-testid="active-environment">
            Environment: <strong>{integration.activeEnvironment}</strong>
          </p>
        )}
        {lastSwitch && (
          <p className="muted" data-testid="last-environment-switch">
            Switched from {lastSwitch.fromEnvironment} to {lastSwitch.toEnvironment} by {lastSwitch.actor} at{' '}
            {formatTime(lastSwitch.at, true)}
          </p>
        )}
        {usage && (
          <p data-testid="credential-usage">
            Credentials (primary {target.secretEnv}, secondary {target.secondarySecretEnv}): served by primary:{' '}
            {usage.primary}, secondary: {usage.secondary} in the last 24 h;{' '}
            {usage.lastSecondaryAt
              ? `last secondary use at ${formatTime(usage.lastSecondaryAt, true)}`
              : 'the secondary was never used'}
          </p>
        )}
      </div>
      <IntegrationDashboard slug={integration.slug} thresholds={thresholds} />
      <RouteTable slug={integration.slug} />
      {roleAtLeast(role, 'operator') && (
        <details className="panel menu" style={{ margin: '16px 0' }} data-testid="breaker-menu">
          <summary>Breaker actions</summary>
          <BreakerActions slug={integration.slug} />
        </details>
      )}
      <SyncPanel integration={integration.slug} />
      <TokenCallers slug={integration.slug} />
      <CostPanel slug={integration.slug} />
      <PriceForm slug={integration.slug} canEdit={roleAtLeast(role, 'editor')} />
    </>
  );
}
