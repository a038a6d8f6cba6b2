import Link from 'next/link';
import { notFound } from 'next/navigation';
import { BreakerActions } from '@/components/features/integrations/BreakerActions';
import { DeleteIntegrationButton } from '@/components/features/integrations/DeleteIntegrationButton';
import { IntegrationForm } from '@/components/features/integrations/IntegrationForm';
import { requireUser } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { findIntegration } from '@/lib/integrations';
import { policySchema } from '@/lib/resilience';
import { integrationFormGroups } from '../../fields';

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<{ created?: string; saved?: string }> };

export const metadata = { title: 'Edit integration · Breakwater' };

export default async function EditIntegrationPage({ params, searchParams }: Props) {
  await requireUser();
  const integration = await findIntegration(getDb(), (await params).slug);
  if (!integration) notFound();
  const { created, saved } = await searchParams;
  const { name, slug, baseUrl, authScheme, authHeader, secretEnv, oauth2, policy, bodyCapture } = integration;
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
        initial={{ name, slug, baseUrl, authScheme, authHeader, secretEnv, oauth2, policy, bodyCapture }}
        defaults={{ authScheme: 'none', policy: policySchema.parse({}) }}
        slug={slug}
      />
    </>
  );
}
