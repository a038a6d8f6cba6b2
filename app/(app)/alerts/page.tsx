import { Suspense } from 'react';
import { AlertRules } from '@/components/features/alerts/AlertRules';
import { requireAccess } from '@/lib/auth';
import { roleAtLeast } from '@/lib/model';

export const metadata = { title: 'Alerts · Breakwater' };

type Props = { searchParams: Promise<{ ws?: string | string[] }> };

export default async function AlertsPage({ searchParams }: Props) {
  const { role } = await requireAccess((await searchParams).ws);
  return (
    <>
      <h1>Alerts</h1>
      <Suspense>
        <AlertRules canEdit={!!role && roleAtLeast(role, 'editor')} />
      </Suspense>
    </>
  );
}
