import Link from 'next/link';
import { IntegrationForm } from '@/components/features/integrations/IntegrationForm';
import { requireUser } from '@/lib/auth';
import { policySchema } from '@/lib/resilience';
import { integrationFormGroups } from '../fields';

export const metadata = { title: 'New integration · Breakwater' };

export default async function NewIntegrationPage() {
  await requireUser();
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
