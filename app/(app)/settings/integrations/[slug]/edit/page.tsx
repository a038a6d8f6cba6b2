import Link from 'next/link';
import { notFound } from 'next/navigation';
import { BreakerActions } from '@/components/features/integrations/BreakerActions';
import { DeleteIntegrationButton } from '@/components/features/integrations/DeleteIntegrationButton';
import { IntegrationForm } from '@/components/features/integrations/IntegrationForm';
import { requireAccess } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { findIntegration } from '@/lib/integrations';
import { policySchema } from '@/lib/resilience';
import { integrationFormGroups } from '../../fields';

type Props = {
  params: Promise<{ slug: string }>;
  searchParams: Promise<{ created?: string; saved?: string; ws?: string | string[] }>;
};

export const metadata = { title: 'Edit integration · Breakwater' };

export default async function EditIntegrationPage({ params, searchParams }: Props) {
  const { created, saved, ws } = await searchParams;
  // Editing is an editor's: the page is a 404 for anyone less, as for another workspace's integration.
  const access = await requireAccess(ws, 'editor');
  const integration = await findIntegration(getDb(), access.workspace.id, (await params).slug);
  if (!integration) notFound();
  const {
    name,
    slug,
    baseUrl,
    authScheme,
    authHeader,
    secretEnv,
    secondarySecretEnv,
    sandbox,
    oauth2,
    policy,
    bodyCapture,
  } = integration;
  return (
    <>
      <p>
        <Link href="/settings/integrations">← Integration settings</Link>
      </p>
      <div className="page-head">
        <h1>{name}</h1>
        <Link href={`/integrations/${slug}`}>Dashboard</Link>
        <span className="spacer" />
        <DeleteIntegrationButton slug={slug} name={name} />
      </div>
      {(created || saved) && (
        <p className="notice" role="status">
          {created ? `Created ${name}.` : `Saved ${name}.`} Calls go through <code>/api/gw/{slug}/…</code>
        </p>
      )}
      <div className="panel" style={{ marginBottom: 16 }}>
        <BreakerActions slug={slug} />
      </div>
      <IntegrationForm
        groups={integrationFormGroups()}
        initial={{
          name,
          slug,
          baseUrl,
          authScheme,
          authHeader,
          secretEnv,
          secondarySecretEnv,
          sandbox,
          oauth2,
          policy,
          bodyCapture,
        }}
        defaults={{ authScheme: 'none', policy: policySchema.parse({}) }}
        slug={slug}
      />
    </>
  );
}
