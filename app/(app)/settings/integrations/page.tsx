import Link from 'next/link';
import { DeleteIntegrationButton } from '@/components/features/integrations/DeleteIntegrationButton';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { listIntegrations, toView } from '@/lib/integrations';
import { roleAtLeast } from '@/lib/model';

export const metadata = { title: 'Integrations · Settings · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function IntegrationSettingsPage({ searchParams }: Props) {
  const access = await requireAccess((await searchParams).ws);
  const canEdit = roleAtLeast(access.role ?? 'viewer', 'editor');
  const integrations = (await listIntegrations(getDb(), access.workspace.id)).map((i) => toView(i));
  return (
    <>
      <div className="page-head">
        <h1>Integration settings</h1>
        <span className="spacer" />
        <Link href="/tokens">API tokens</Link>
        {canEdit && (
          <Link className="button" href="/settings/integrations/new">
            New integration
          </Link>
        )}
      </div>
      {integrations.length === 0 ? (
        <div className="panel empty">
          <p>No integrations yet.</p>
          {canEdit && (
            <p>
              <Link href="/settings/integrations/new">Create the first one</Link>
            </p>
          )}
        </div>
      ) : (
        <div className="panel table-wrap">
          <table aria-label="Integrations">
            <thead>
              <tr>
                <th>Name</th>
                <th>Base URL</th>
                <th>Credentials</th>
                <th className="num">Retries</th>
                <th>Breaker</th>
                <th>Rate limit</th>
                <th>Cache</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {integrations.map((i) => (
                <tr key={i.id} data-testid={`settings-${i.slug}`}>
                  <td>
                    <Link href={`/integrations/${i.slug}`}>{i.name}</Link> <span className="mono muted">{i.slug}</span>
                  </td>
                  <td className="mono muted">{i.baseUrl}</td>
                  <td>
                    {i.authScheme === 'none' ? (
                      <span className="muted">none</span>
                    ) : (
                      <>
                        {i.authScheme} · <code>{i.secretEnv}</code>{' '}
                        {i.secretConfigured ? (
                          <span className="status-ok">set</span>
                        ) : (
                          <span className="status-bad">not set on this server</span>
                        )}
                      </>
                    )}
                  </td>
                  <td className="num">{i.policy.retry.maxRetries}</td>
                  <td>
                    {i.policy.breaker.mode === 'consecutive'
                      ? `${i.policy.breaker.consecutiveFailures} failures`
                      : `${Math.round(i.policy.breaker.failureRateThreshold * 100)}% failures`}
                    {i.policy.breaker.dryRun && <span className="badge">DRY-RUN</span>}
                  </td>
                  <td>{i.policy.rateLimit.enabled ? `${i.policy.rateLimit.perMinute}/min` : 'off'}</td>
                  <td>{i.policy.cache.enabled ? `${Math.round(i.policy.cache.ttlMs / 1000)} s` : 'off'}</td>
                  <td>
                    {canEdit && (
                      <div className="row">
                        <Link href={`/settings/integrations/${i.slug}/edit`} aria-label={`Edit ${i.name}`}>
                          Edit
                        </Link>
                        <DeleteIntegrationButton slug={i.slug} name={i.name} />
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
