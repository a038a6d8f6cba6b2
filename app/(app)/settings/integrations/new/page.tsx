import Link from 'next/link';
import { IntegrationForm } from '@/components/features/integrations/IntegrationForm';
import { requireAccess } from '@/lib/auth';
import { policySchema } from '@/lib/resilience';
import { integrationFormGroups } from '../fields';

export const metadata = { title: 'New integration · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function NewIntegrationPage({ searchParams }: Props) {
  await requireAccess((await searchParams).ws, 'editor');
  const defaults = { authScheme: 'none', policy: policySchema.parse({}) };
  return (
    <>
      <p>
        <Link href="/settings/integrations">← Integration settings</Link>
      </p>
      <h1>New integration</h1>
      <p className="muted">Every policy field starts at its default; leave a number empty to keep the default.</p>
      <IntegrationForm groups={integrationFormGroups()} initial={defaults} defaults={defaults} />
    </>
  );
}
